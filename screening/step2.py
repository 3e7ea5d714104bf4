"""Step 2 of the screen: is the limit soft tissue, joint, or both? (seed 000, Step 2).

The user does two tests on a step, one with the knee straight and one with the knee slightly
bent, and says where the limit is felt in each: a stretch in the back of the lower leg
("back"), a block or pinch at the front of the ankle ("front"), or "neither".

Decision rule (seed 000: Rusin, "Fix Your Ankle Mobility In Five Minutes", Step 2):
- back + back   -> ``soft_tissue``
- front + front -> ``joint``
- back + front (either order) -> ``both``
- any "neither" -> ``unclear``. Our own rule, not the article's: when exactly one answer is
  "neither", ``lean`` names the class the other answer points to (back -> soft_tissue, front ->
  joint) and ``confidence`` is "low"; the recommender then uses that block but asks for the test
  to be repeated. When both answers are "neither", there is no lean.

Pure module: no cv2/mediapipe/streamlit. The figures are drawn with matplotlib (Agg backend).
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from typing import Any, Literal, cast, get_args

from screening.errors import InvalidSettingError

Feel = Literal["back", "front", "neither"]
Step2Class = Literal["soft_tissue", "joint", "both", "unclear"]
Position = Literal["straight_knee", "bent_knee"]
Confidence = Literal["high", "low", "none"]

SOURCE_STEP2 = "seed 000: Rusin, Fix Your Ankle Mobility In Five Minutes (Step 2)"

_FEEL_ALIASES: dict[str, Feel] = {
    "back": "back",
    "stretch": "back",
    "calf": "back",
    "behind": "back",
    "front": "front",
    "block": "front",
    "pinch": "front",
    "neither": "neither",
    "none": "neither",
    "nothing": "neither",
    "unsure": "neither",
}

FEEL_LABELS: dict[Feel, str] = {
    "back": "a stretch in the back of the lower leg (calf / Achilles)",
    "front": "a block or pinch at the front of the ankle",
    "neither": "neither / not sure",
}

CLASS_LABELS: dict[Step2Class, str] = {
    "soft_tissue": "soft-tissue limit",
    "joint": "joint limit",
    "both": "soft-tissue and joint limit",
    "unclear": "unclear",
}


def parse_feel(value: str) -> Feel:
    """Normalise a user answer ("back", "stretch", "front", "pinch", "neither", ...)."""
    key = str(value).strip().lower()
    if key in _FEEL_ALIASES:
        return _FEEL_ALIASES[key]
    raise InvalidSettingError(
        f"'{value}' is not a Step-2 answer; use back (stretch behind the calf), "
        "front (block or pinch at the front of the ankle) or neither."
    )


@dataclass(frozen=True)
class Step2Result:
    classification: Step2Class
    reason: str
    confidence: Confidence
    straight_knee: Feel
    bent_knee: Feel
    lean: Literal["soft_tissue", "joint"] | None = None
    straight_knee_shin_angle_deg: float | None = None
    bent_knee_shin_angle_deg: float | None = None
    source: str = SOURCE_STEP2

    @property
    def effective_class(self) -> Step2Class:
        """The class the recommender acts on: the lean for a half-answered test, else the class."""
        if self.classification == "unclear" and self.lean is not None:
            return self.lean
        return self.classification

    def to_json_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["label"] = CLASS_LABELS[self.classification]
        d["effective_class"] = self.effective_class
        return d


def _lean_of(feel: Feel) -> Literal["soft_tissue", "joint"] | None:
    return "soft_tissue" if feel == "back" else "joint" if feel == "front" else None


def classify_step2(
    straight_knee: Feel | str,
    bent_knee: Feel | str,
    *,
    straight_knee_shin_angle_deg: float | None = None,
    bent_knee_shin_angle_deg: float | None = None,
) -> Step2Result:
    """Classify the limit from where it was felt in the straight-knee and bent-knee tests."""
    sk = parse_feel(straight_knee)
    bk = parse_feel(bent_knee)
    sk_deg, bk_deg = straight_knee_shin_angle_deg, bent_knee_shin_angle_deg
    if sk == "back" and bk == "back":
        return Step2Result(
            "soft_tissue",
            "You felt a stretch behind the lower leg in both positions, which points to the calf "
            "muscles and tissues limiting the range rather than the joint.",
            "high", sk, bk, None, sk_deg, bk_deg,
        )
    if sk == "front" and bk == "front":
        return Step2Result(
            "joint",
            "You felt a block at the front of the ankle in both positions, which points to the "
            "ankle joint itself; stretching alone is unlikely to help and may aggravate it.",
            "high", sk, bk, None, sk_deg, bk_deg,
        )
    if {sk, bk} == {"back", "front"}:
        where = "straight" if sk == "back" else "bent"
        other = "bent" if sk == "back" else "straight"
        return Step2Result(
            "both",
            f"The limit moved between positions (a stretch behind the leg with the knee {where}, "
            f"a front block with the knee {other}), so both the soft tissues and the joint play a part.",
            "high", sk, bk, None, sk_deg, bk_deg,
        )
    answered = sk if sk != "neither" else bk
    lean = _lean_of(answered)
    if lean is None:
        return Step2Result(
            "unclear",
            "You felt no clear limit in either position. Sink a little further at the end of each "
            "test and hold 5-10 s before answering; the general plan below still applies.",
            "none", sk, bk, None, sk_deg, bk_deg,
        )
    missing = "straight-knee" if sk == "neither" else "bent-knee"
    return Step2Result(
        "unclear",
        f"Only one position gave a clear answer (the {missing} test did not). The plan leans on the "
        f"answered test ({CLASS_LABELS[lean]}) with low confidence; repeat Step 2 before the next session.",
        "low", sk, bk, lean, sk_deg, bk_deg,
    )


# ---------------------------------------------------------------------------------------------
# Guided instructions (our own words, following seed 000 Step 2) and figures.

INSTRUCTIONS: dict[Position, list[str]] = {
    "straight_knee": [
        "Take your shoes off and stand on a step or sturdy box; you test one ankle at a time.",
        "Put the ball of the tested foot on the edge of the step, toes pointing straight ahead, heel hanging off.",
        "Shift all your weight onto that foot and keep the knee locked straight.",
        "Let the heel sink towards the floor while the ball of the foot stays on the step; lean your body "
        "forward a little to go deeper.",
        "When it will not go any further, stay there for 5-10 seconds and notice where it stops you: a stretch "
        "in the back of the lower leg, a block at the front of the ankle, or neither.",
    ],
    "bent_knee": [
        "Same set-up: barefoot, ball of the tested foot on the step edge, toes straight ahead, all weight on it.",
        "This time bend the knee slightly and keep it bent the whole time.",
        "Let the heel sink and the knee travel forward over the toes until the ankle will not bend further.",
        "Hold that end position for 5-10 seconds and notice where it stops you: back of the lower leg, front "
        "of the ankle, or neither.",
    ],
}

QUESTION = "Where did you feel the limit?"


def instructions(position: Position) -> list[str]:
    """Step-by-step instructions for one Step-2 position (our wording, after seed 000 Step 2)."""
    if position not in INSTRUCTIONS:
        raise InvalidSettingError(f"unknown Step-2 position '{position}'; use straight_knee or bent_knee.")
    return list(INSTRUCTIONS[position])


def step2_figure(position: Position, fmt: Literal["png", "svg"] = "png", *, dpi: int = 100) -> bytes:
    """A simple side-view stick figure of the test position on a step (PNG or SVG bytes)."""
    if position not in get_args(Position):
        raise InvalidSettingError(f"unknown Step-2 position '{position}'; use straight_knee or bent_knee.")
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    fig = Figure(figsize=(3.2, 3.6))
    ax = fig.add_subplot(1, 1, 1)
    ax.set_xlim(-2.2, 2.2)
    ax.set_ylim(-0.4, 4.6)
    ax.set_aspect("equal")
    ax.axis("off")
    # floor and step
    ax.plot([-2.2, 2.2], [0, 0], color="#555", lw=2)
    ax.add_patch(Rectangle((-2.0, 0), 2.1, 0.7, color="#c9c9c9"))
    ball = (0.0, 0.7)  # ball of foot on the step edge
    heel = (0.55, 0.45)  # heel below the step surface (dropped)
    toe = (-0.35, 0.7)
    ankle = (0.45, 0.72)
    if position == "straight_knee":
        knee = (0.05, 2.0)
        hip = (-0.3, 3.2)
        title = "Straight knee"
    else:
        knee = (-0.35, 1.85)
        hip = (0.15, 3.0)
        title = "Knee slightly bent"
    head = (hip[0] - 0.25, hip[1] + 1.05)
    leg = "#1f5fa8"
    ax.plot([toe[0], ball[0], heel[0], ankle[0]], [toe[1], ball[1], heel[1], ankle[1]], color=leg, lw=3)
    ax.plot([ankle[0], knee[0], hip[0]], [ankle[1], knee[1], hip[1]], color=leg, lw=4)
    ax.plot([hip[0], head[0]], [hip[1], head[1] - 0.3], color="#333", lw=4)
    ax.add_patch(matplotlib.patches.Circle(head, 0.28, color="#333"))
    # where to notice the limit
    ax.annotate("back: stretch?", xy=(0.6, 1.3), xytext=(1.0, 2.3), fontsize=8, color="#a33",
                arrowprops={"arrowstyle": "->", "color": "#a33"})
    ax.annotate("front: block?", xy=(0.25, 0.85), xytext=(-2.1, 1.4), fontsize=8, color="#a63",
                arrowprops={"arrowstyle": "->", "color": "#a63"})
    ax.set_title(title, fontsize=10)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def step2_figure_svg(position: Position) -> str:
    """The figure as an SVG string (for the app)."""
    return step2_figure(position, "svg").decode("utf-8")


def class_from_str(value: str) -> Step2Class:
    if value not in get_args(Step2Class):
        raise InvalidSettingError(f"'{value}' is not a Step-2 class; use soft_tissue, joint, both or unclear.")
    return cast(Step2Class, value)

"""Routine recommender (SPEC 5): screen result(s) + Step-2 class + asymmetry + history -> ordered plan.

Rules (each with its source; "our rule" marks a choice the articles do not make):

1. Every session starts with the screen as a test, and every drill is followed by a retest
   ("test, drill, retest"; seed 000 Steps 3-4).
2. A side that fails gets the block its Step-2 class calls for (seed 000 Step 2):
   soft_tissue -> Step 3 (rolling, deep-flexor release, bi-phasic stretches, seed 000);
   joint -> Step 4 + posterior glide (manual talus mobilisation, towel/rope glide, 3-way
   oscillations, band step-downs; taping as an all-day habit; seeds 000 and 004);
   both -> joint block first, then soft tissue (our rule: seed 004 says the glide has to be freed
   before rocking into the range does any good, and the step stretches are such rocking);
   unclear with one answered position -> the answered block, flagged low confidence (our rule);
   unclear with no answer, or Step 2 not done -> no targeted block, a prompt to do Step 2.
3. Always for a failing side: foot work first (seed 002 starts with the feet), ankle through four
   directions (seed 002), a lower-body training session that opens with the calf pyramid for 3-4
   weeks (seed 000 Step 5) plus the toe-elevated RDL (seed 002), and movement days with agility
   and loaded 3-plane work (seed 002).
4. All measured sides pass -> maintenance only (seed 002 schedule: release 3x/week, dorsiflexion
   strength 1x/week, 3-D movement 2-3x/week).
5. Asymmetry of at least 1.5 cm (or 4.7 deg) -> the worse side goes first in every session and is
   named in the notes (threshold: MDC of the between-limb lunge difference, Chisholm et al. 2012;
   see docs/MDC.md).
6. A failing side within the MDC (1.9 cm) of the fist mark is called borderline (our rule).
7. History: judge only over >= 4 weeks (seed 004 comments: 4-6 weeks). No change beyond the MDC
   over >= 4 weeks -> say so, suggest a professional, mention a possible bony limit (seed 004
   comments).
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from screening.compare import (
    ASYMMETRY_THRESHOLD_CM,
    ASYMMETRY_THRESHOLD_DEG,
    PUBLISHED_MDC_CM,
    Asymmetry,
    asymmetry,
)
from screening.errors import InvalidSettingError
from screening.routines import Drill, RoutineLibrary, load_library
from screening.step2 import CLASS_LABELS, SOURCE_STEP2, Step2Class, Step2Result

Side = Literal["left", "right"]
Verdict = Literal["pass", "fail", "not_measured"]
StepKind = Literal["test", "drill", "retest", "assess", "habit"]
Mode = Literal["corrective", "maintenance", "remeasure"]

SRC_000 = "seed 000: Rusin, Fix Your Ankle Mobility In Five Minutes"
SRC_002 = "seed 002: Mullins, Progressing Ankle Mobility beyond SMR"
SRC_004 = "seed 004: Reddy, front-of-ankle jamming and the talus glide"

#: Seed defaults for the fist width (seed 000 Step 1): about 4 in for men, 3.5 in for women.
FIST_DEFAULT_CM: dict[str, float] = {"m": 10.2, "f": 8.9}

SOFT_TISSUE_BLOCK = ("calf_rolling", "deep_flexor_release", "biphasic_stretch_straight", "biphasic_stretch_bent")
JOINT_BLOCK = ("manual_talus_mobilisation", "towel_glide_dorsiflexion", "three_way_ankle_mobilisation",
               "anchored_band_step_down")
JOINT_HABITS = ("posterior_glide_taping",)

SAFETY_TEXT = (
    "This is a movement screen and an exercise plan, not a diagnosis. If you have pain, swelling, a recent "
    "injury, numbness or tingling, or if any drill makes things worse, stop and have a physiotherapist or "
    "doctor look at the ankle."
)
BONE_CAVEAT = (
    "Ankle bones are not all shaped alike; for some people the shape of the joint sets a hard stop that no "
    "drill will move. If several weeks of steady work show no measurable change, that may be the reason, and a "
    "clinician can check it (seed 004: readers' comments)."
)
JUDGE_TEXT = (
    "Film the screen again each week with the same set-up, but judge the plan only after 4-6 weeks: single "
    "weeks vary too much to read anything into them. Trust the measured number over how it feels "
    "(seed 004: readers' comments)."
)
RETEST_TEXT = (
    "Retest: repeat the half-kneeling screen on the {side} side (it takes seconds). Keep the drill in your plan "
    "if the knee now travels further; drop it if it does not (seed 000)."
)
TEST_TEXT = (
    "Test: half-kneeling screen on the {side} side, barefoot, heel down, knee driven over the toes; note how far "
    "the kneecap passes the toe (seed 000 Step 1)."
)


@dataclass(frozen=True)
class PlanConfig:
    asymmetry_threshold_cm: float = ASYMMETRY_THRESHOLD_CM
    asymmetry_threshold_deg: float = ASYMMETRY_THRESHOLD_DEG
    mdc_cm: float = PUBLISHED_MDC_CM
    plateau_min_weeks: float = 4.0
    judge_after_weeks_min: int = 4
    judge_after_weeks_max: int = 6
    history_window_days: int = 7  # values within this many days of the first / last entry are pooled


@dataclass(frozen=True)
class SideInput:
    side: Side
    verdict: Verdict
    knee_past_toe_cm: float | None = None
    fist_width_cm: float | None = None
    shin_angle_deg: float | None = None

    @property
    def below_mark_cm(self) -> float | None:
        """How far the kneecap stopped short of the fist mark (negative = past it)."""
        if self.knee_past_toe_cm is None or self.fist_width_cm is None:
            return None
        return self.fist_width_cm - self.knee_past_toe_cm


@dataclass(frozen=True)
class HistoryPoint:
    date: dt.date
    side: Side
    knee_past_toe_cm: float | None
    shin_angle_deg: float | None = None


@dataclass(frozen=True)
class PlanInput:
    sides: tuple[SideInput, ...]
    step2: Step2Result | None = None
    step2_by_side: dict[str, Step2Result] = field(default_factory=dict)  # overrides ``step2`` per side
    history: tuple[HistoryPoint, ...] = ()
    config: PlanConfig = PlanConfig()

    def step2_for(self, side: Side) -> Step2Result | None:
        return self.step2_by_side.get(side, self.step2)


@dataclass(frozen=True)
class PlanStep:
    kind: StepKind
    text: str
    side: Side | None = None
    drill_id: str | None = None
    name: str = ""
    dose: str = ""
    source: str = ""


@dataclass(frozen=True)
class Session:
    id: str
    title: str
    when: str
    steps: tuple[PlanStep, ...]


@dataclass(frozen=True)
class ScheduleDay:
    day: str
    sessions: tuple[str, ...]  # session ids


@dataclass(frozen=True)
class HistoryAssessment:
    side: Side
    status: Literal["too_little_data", "too_early", "improving", "declining", "plateau"]
    weeks: float
    change_cm: float | None
    text: str


@dataclass(frozen=True)
class Plan:
    mode: Mode
    classification: str
    classification_reason: str
    priority_side: Side | None
    sides: tuple[SideInput, ...]
    sessions: tuple[Session, ...]
    weekly_schedule: tuple[ScheduleDay, ...]
    schedule_rules: tuple[str, ...]
    judge_after_weeks: tuple[int, int]
    judge_text: str
    safety_text: str
    caveats: tuple[str, ...]
    notes: tuple[str, ...]
    asymmetry: Asymmetry | None
    history: tuple[HistoryAssessment, ...]

    @property
    def steps(self) -> list[PlanStep]:
        """All steps in order, session after session."""
        return [s for sess in self.sessions for s in sess.steps]

    @property
    def drills(self) -> list[dict[str, Any]]:
        """Unique drills and habits (by id and side) in plan order."""
        seen: set[tuple[str, str | None]] = set()
        out: list[dict[str, Any]] = []
        for sess in self.sessions:
            for s in sess.steps:
                if s.kind in ("drill", "habit") and s.drill_id and (s.drill_id, s.side) not in seen:
                    seen.add((s.drill_id, s.side))
                    out.append({"id": s.drill_id, "name": s.name, "dose": s.dose, "source": s.source,
                                "side": s.side, "session": sess.id, "kind": s.kind})
        return out

    def to_json_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["asymmetry"] = self.asymmetry.to_json_dict() if self.asymmetry else None
        d["steps"] = [asdict(s) for s in self.steps]
        d["drills"] = self.drills
        d["sides"] = [{**asdict(s), "below_mark_cm": None if s.below_mark_cm is None else round(s.below_mark_cm, 2)}
                     for s in self.sides]
        return d

    def to_text(self) -> str:
        return format_plan(self)


# ---------------------------------------------------------------------------------------------


def _drill_step(d: Drill, side: Side | None, kind: StepKind = "drill") -> PlanStep:
    return PlanStep(kind=kind, text=" ".join(d.how_to), side=side, drill_id=d.id, name=d.name,
                    dose=d.dose.text, source=str(d.source))


def _session(sid: str, title: str, when: str, sides: list[Side], drill_ids_by_side: dict[Side, list[str]],
             lib: RoutineLibrary, extra: dict[Side, list[PlanStep]] | None = None) -> Session:
    """test -> (drill -> retest)* for each side, in the given side order."""
    steps: list[PlanStep] = []
    for side in sides:
        steps.append(PlanStep("test", TEST_TEXT.format(side=side), side, source=SRC_000))
        for extra_step in (extra or {}).get(side, []):
            steps.append(extra_step)
        for did in drill_ids_by_side.get(side, []):
            steps.append(_drill_step(lib.drill(did), side))
            steps.append(PlanStep("retest", RETEST_TEXT.format(side=side), side, source=SRC_000))
    return Session(sid, title, when, tuple(steps))


def _targeted_block(cls: Step2Class | None) -> tuple[str, ...]:
    if cls == "soft_tissue":
        return SOFT_TISSUE_BLOCK
    if cls == "joint":
        return JOINT_BLOCK
    if cls == "both":
        return JOINT_BLOCK + SOFT_TISSUE_BLOCK
    return ()


def assess_history(points: tuple[HistoryPoint, ...] | list[HistoryPoint], side: Side,
                   config: PlanConfig = PlanConfig()) -> HistoryAssessment:
    """Change over time for one side, judged against the MDC and the 4-6 week horizon."""
    pts = sorted((p for p in points if p.side == side and p.knee_past_toe_cm is not None), key=lambda p: p.date)
    vals = [(p.date, float(p.knee_past_toe_cm)) for p in pts if p.knee_past_toe_cm is not None]
    if len(pts) < 2:
        return HistoryAssessment(side, "too_little_data", 0.0, None,
                                 f"{side.capitalize()} side: not enough saved screens yet to judge a trend.")
    first, last = pts[0].date, pts[-1].date
    if first == last:  # same-day retests (test, drill, retest): a within-session change, not a trend
        return HistoryAssessment(side, "too_early", 0.0, None,
                                 f"{side.capitalize()} side: {len(vals)} screens, all on one day ({vals[0][1]:.1f} -> "
                                 f"{vals[-1][1]:.1f} cm: same-day retests, not a trend yet); save a screen every week or "
                                 f"two and judge after {config.judge_after_weeks_min}-{config.judge_after_weeks_max} "
                                 "weeks (seed 004: readers' comments).")
    weeks = (last - first).days / 7.0
    win = dt.timedelta(days=config.history_window_days)
    base = statistics.median(v for d, v in vals if d <= first + win)
    late = statistics.median(v for d, v in vals if d >= last - win)
    change = late - base
    if weeks < config.plateau_min_weeks:
        return HistoryAssessment(side, "too_early", weeks, change,
                                 f"{side.capitalize()} side: {weeks:.1f} weeks of data so far ({change:+.1f} cm); "
                                 f"wait until {config.judge_after_weeks_min}-{config.judge_after_weeks_max} weeks "
                                 "before judging (seed 004: readers' comments).")
    if change >= config.mdc_cm:
        return HistoryAssessment(side, "improving", weeks, change,
                                 f"{side.capitalize()} side: {change:+.1f} cm over {weeks:.0f} weeks, more than the "
                                 f"{config.mdc_cm:.1f} cm measurement noise, so it is a real improvement.")
    if change <= -config.mdc_cm:
        return HistoryAssessment(side, "declining", weeks, change,
                                 f"{side.capitalize()} side: {change:+.1f} cm over {weeks:.0f} weeks, a real loss of "
                                 "range. Check that the clips are filmed the same way; if the ankle hurts or "
                                 "swells, see a clinician.")
    return HistoryAssessment(side, "plateau", weeks, change,
                             f"{side.capitalize()} side: no change beyond measurement noise ({change:+.1f} cm, "
                             f"noise {config.mdc_cm:.1f} cm) over {weeks:.0f} weeks of work. It is worth having a "
                             "physiotherapist look at the ankle; the joint's bone shape may be setting the limit "
                             "(seed 004: readers' comments).")


def make_plan(inp: PlanInput, library: RoutineLibrary | None = None) -> Plan:
    """Build the ordered plan. See the module docstring for the rules and their sources."""
    lib = library or load_library()
    cfg = inp.config
    if not inp.sides:
        raise InvalidSettingError("the plan needs at least one screened side; give a verdict or a measurement.")
    if len({s.side for s in inp.sides}) != len(inp.sides):
        raise InvalidSettingError("each side may appear only once in the plan input.")
    notes: list[str] = []
    by_side = {s.side: s for s in inp.sides}

    # Asymmetry (rule 5)
    asym: Asymmetry | None = None
    if "left" in by_side and "right" in by_side:
        asym = asymmetry(by_side["left"].knee_past_toe_cm, by_side["right"].knee_past_toe_cm,
                         left_deg=by_side["left"].shin_angle_deg, right_deg=by_side["right"].shin_angle_deg,
                         threshold_cm=cfg.asymmetry_threshold_cm, threshold_deg=cfg.asymmetry_threshold_deg)
        if asym.flagged:
            notes.append(asym.reason + " (threshold: Chisholm et al. 2012, see docs/MDC.md)")

    failing = [s for s in inp.sides if s.verdict == "fail"]
    passing = [s for s in inp.sides if s.verdict == "pass"]
    unmeasured = [s for s in inp.sides if s.verdict == "not_measured"]
    for s in unmeasured:
        notes.append(f"The {s.side} side was not measured; film it again side-on with the whole foot and knee in view.")

    # Order: flagged worse side first, then the larger gap below the mark first.
    def gap(s: SideInput) -> float:
        return s.below_mark_cm if s.below_mark_cm is not None else 0.0

    failing.sort(key=lambda s: -gap(s))
    priority: Side | None = None
    if asym is not None and asym.flagged and asym.worse_side is not None:
        priority = asym.worse_side
        failing.sort(key=lambda s: 0 if s.side == priority else 1)
    elif failing:
        priority = failing[0].side

    for s in failing:
        g = s.below_mark_cm
        if g is not None:
            if g <= cfg.mdc_cm:
                notes.append(f"The {s.side} side is {g:.1f} cm short of the fist mark, which is within measurement "
                             "noise: borderline. Retest with a few careful attempts before committing to the plan.")
            else:
                notes.append(f"The {s.side} side stopped {g:.1f} cm short of the fist mark; that gap is your "
                             "baseline to close (seed 000 Step 1).")
    for s in passing:
        g = s.below_mark_cm
        if g is not None and -g <= cfg.mdc_cm:
            notes.append(f"The {s.side} side passed, but only {-g:.1f} cm beyond the fist mark, within measurement "
                         "noise; keep an eye on it.")

    history = tuple(assess_history(inp.history, side) for side in ("left", "right")
                    if any(p.side == side for p in inp.history))
    for h in history:
        if h.status in ("plateau", "declining", "too_early"):
            notes.append(h.text)

    caveats = [BONE_CAVEAT]
    sessions: list[Session] = []
    schedule_rules: list[str] = []

    # Classification to report
    if failing:
        s2 = inp.step2_for(failing[0].side)
    else:
        s2 = inp.step2
    if s2 is not None:
        classification: str = s2.classification
        class_reason = s2.reason
    elif failing:
        classification, class_reason = "not_tested", "Step 2 (straight-knee and bent-knee test) has not been done yet."
    else:
        classification, class_reason = "not_needed", "No side failed the screen, so Step 2 is not needed."

    if failing:
        mode: Mode = "corrective"
        sides_order: list[Side] = [s.side for s in failing]
        mobility: dict[Side, list[str]] = {}
        extra: dict[Side, list[PlanStep]] = {}
        habits: list[PlanStep] = []
        for s in failing:
            r2 = inp.step2_for(s.side)
            cls = r2.effective_class if r2 is not None else None
            block = list(_targeted_block(cls))
            if r2 is None or (r2.classification == "unclear" and r2.lean is None):
                extra[s.side] = [PlanStep(
                    "assess",
                    f"Do Step 2 on the {s.side} ankle (straight-knee and bent-knee test on a step) so the plan can "
                    "target soft tissue or the joint; until then only the general work below applies.",
                    s.side, source=SOURCE_STEP2)]
            elif r2.classification == "unclear":
                notes.append(f"{s.side.capitalize()} side: Step 2 was only half answered; the plan uses the "
                             f"{CLASS_LABELS[r2.effective_class]} block with low confidence. Repeat Step 2.")
            if cls == "joint" or cls == "both":
                notes.append("Stretching and rolling cannot open a joint limit and may make it worse, so the joint "
                             "work comes first (seed 000 Step 2; seed 004).")
                habits.extend(_drill_step(lib.drill(h), s.side, "habit") for h in JOINT_HABITS)
            mobility[s.side] = ["foot_ball_toe_arch_release", *block, "ankle_four_directions"]
        sessions.append(_session("mobility", "Mobility session: test, drill, retest",
                                 "3 days a week (e.g. Mon, Wed, Fri)", sides_order, mobility, lib, extra))
        training = {side: ["calf_pyramid", "toe_elevated_rdl"] for side in sides_order}
        sessions.append(_session("training", "Lower-body training: calf pyramid first",
                                 "every lower-body training day (at least once a week) for 3-4 weeks",
                                 sides_order, training, lib))
        movement = {sides_order[0]: ["agility_drills", "loaded_three_plane_movement"]}
        sessions.append(_session("movement", "Movement day: agility and 3-plane loading", "2-3 days a week",
                                 sides_order[:1], movement, lib))
        daily = [_drill_step(lib.drill(h), None, "habit") for h in
                 ("foot_ball_toe_arch_release", "foot_contact_awareness", "barefoot_walking")]
        sessions.append(Session("daily", "Every day", "daily", tuple(daily + habits)))
        schedule: tuple[ScheduleDay, ...] = (
            ScheduleDay("Mon", ("mobility", "training", "daily")),
            ScheduleDay("Tue", ("movement", "daily")),
            ScheduleDay("Wed", ("mobility", "daily")),
            ScheduleDay("Thu", ("training", "daily")),
            ScheduleDay("Fri", ("mobility", "movement", "daily")),
            ScheduleDay("Sat", ("daily",)),
            ScheduleDay("Sun", ("daily",)),
        )
        schedule_rules += [
            "Mobility session 3 times a week on non-consecutive days (our choice; seed 002 suggests release work "
            "at least 3 times a week).",
            "Calf pyramid as the first exercise of every lower-body training day for 3-4 weeks (seed 000 Step 5).",
            "Toe-elevated RDL at least once a week (seed 002).",
            "Agility (3-5 rounds) and loaded 3-plane movement 2-3 times a week (seed 002).",
            "Foot release and barefoot walking daily (seed 002).",
            "Film a retest once a week; judge the plan after 4-6 weeks (seed 004: readers' comments).",
            "Once the screen passes, switch to the maintenance plan.",
        ]
    elif passing:
        mode = "maintenance"
        sides_order = [s.side for s in passing]
        if asym is not None and asym.flagged and asym.worse_side in sides_order:
            priority = asym.worse_side
            sides_order.sort(key=lambda x: 0 if x == priority else 1)
            notes.append(f"Both sides pass, but the {priority} side lags; do its maintenance work first and "
                         "retest it each week. If the gap stays, run Step 2 on that ankle.")
        notes.insert(0, "The screen is passed: ankle dorsiflexion is in the functionally normal range, so no "
                        "corrective drills are needed; keep it with the maintenance plan (seed 000 Step 1; seed 002).")
        release = {side: ["foot_ball_toe_arch_release", "shin_and_calf_release"] for side in sides_order}
        sessions.append(_session("release", "Release: feet and shins", "at least 3 times a week",
                                 sides_order, release, lib))
        strength = {side: ["calf_pyramid", "toe_elevated_rdl"] for side in sides_order}
        sessions.append(_session("strength", "Dorsiflexion strength: calf pyramid first", "at least once a week",
                                 sides_order, strength, lib))
        move = {sides_order[0]: ["agility_drills", "loaded_three_plane_movement"]}
        sessions.append(_session("movement", "3-D movement, loaded and unloaded", "2-3 times a week",
                                 sides_order[:1], move, lib))
        daily = [_drill_step(lib.drill(h), None, "habit") for h in ("barefoot_walking", "gait_retraining")]
        sessions.append(Session("daily", "Habits", "daily / as needed", tuple(daily)))
        schedule = (
            ScheduleDay("Mon", ("release", "strength", "daily")),
            ScheduleDay("Tue", ("movement", "daily")),
            ScheduleDay("Wed", ("release", "daily")),
            ScheduleDay("Thu", ("movement", "daily")),
            ScheduleDay("Fri", ("release", "daily")),
            ScheduleDay("Sat", ("movement", "daily")),
            ScheduleDay("Sun", ("daily",)),
        )
        schedule_rules += [m.text[:1].upper() + m.text[1:] + f": {m.what.lower()} ({m.source.cite})"
                           for m in lib.maintenance]
        schedule_rules.append("Retest every few weeks to check the range is holding.")
    else:
        mode = "remeasure"
        sides_order = [s.side for s in inp.sides]
        steps: list[PlanStep] = []
        for side in sides_order:
            steps.append(PlanStep("test", TEST_TEXT.format(side=side), side, source=SRC_000))
            steps.append(PlanStep("assess", f"The {side} side could not be measured. Film it again side-on, "
                                  "barefoot, with the whole front leg and foot in view, then ask for a plan.", side))
        sessions.append(Session("remeasure", "Measure first", "before starting any drills", tuple(steps)))
        schedule = ()
        schedule_rules.append("No plan until at least one side has a measured screen.")

    notes = list(dict.fromkeys(notes))  # drop repeats, keep order
    return Plan(
        mode=mode,
        classification=classification,
        classification_reason=class_reason,
        priority_side=priority,
        sides=tuple(inp.sides),
        sessions=tuple(sessions),
        weekly_schedule=schedule,
        schedule_rules=tuple(schedule_rules),
        judge_after_weeks=(cfg.judge_after_weeks_min, cfg.judge_after_weeks_max),
        judge_text=JUDGE_TEXT,
        safety_text=SAFETY_TEXT,
        caveats=tuple(caveats),
        notes=tuple(notes),
        asymmetry=asym,
        history=history,
    )


def side_input_from_result(result: dict[str, Any]) -> SideInput:
    """A :class:`SideInput` from a saved ScreenResult JSON dict."""
    side = result.get("side")
    if side not in ("left", "right"):
        raise InvalidSettingError("the result has no screened side; pass --side left or right.")
    best = result.get("best") or {}
    verdict = best.get("verdict", "not_measured")
    if verdict not in ("pass", "fail", "not_measured"):
        verdict = "not_measured"
    return SideInput(side=side, verdict=verdict, knee_past_toe_cm=best.get("knee_past_toe_cm"),
                     fist_width_cm=result.get("fist_width_cm"), shin_angle_deg=best.get("shin_angle_deg"))


def format_plan(plan: Plan) -> str:
    """Plain-text rendering for the CLI."""
    lines: list[str] = []
    lines.append(f"Plan: {plan.mode}")
    label = CLASS_LABELS.get(plan.classification, plan.classification)  # type: ignore[call-overload]
    lines.append(f"Step-2 classification: {label} - {plan.classification_reason}")
    if plan.priority_side:
        lines.append(f"Priority side: {plan.priority_side}")
    for n in plan.notes:
        lines.append(f"* {n}")
    for sess in plan.sessions:
        lines.append("")
        lines.append(f"== {sess.title} ({sess.when})")
        i = 0
        for st in sess.steps:
            i += 1
            side = f" [{st.side}]" if st.side else ""
            if st.kind in ("drill", "habit"):
                lines.append(f"{i:2d}. {st.kind.upper()}{side}: {st.name} - {st.dose}  <{st.source}>")
            elif st.kind == "test":
                lines.append(f"{i:2d}. TEST{side}")
            elif st.kind == "retest":
                lines.append(f"{i:2d}.   retest{side}")
            else:
                lines.append(f"{i:2d}. {st.kind.upper()}{side}: {st.text}")
    if plan.weekly_schedule:
        lines.append("")
        lines.append("Weekly schedule:")
        for d in plan.weekly_schedule:
            lines.append(f"  {d.day}: {', '.join(d.sessions)}")
    for r in plan.schedule_rules:
        lines.append(f"  - {r}")
    lines.append("")
    lines.append(f"When to judge: {plan.judge_text}")
    for c in plan.caveats:
        lines.append(f"Note: {c}")
    lines.append(f"Safety: {plan.safety_text}")
    return "\n".join(lines)

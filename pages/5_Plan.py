"""Plan: Step 2 (soft tissue or joint?) questions, then the routine with doses, retests and schedule."""

from __future__ import annotations

import json

import streamlit as st

from app_support.settings import sidebar_settings
from app_support.view import latest_by_side, user_errors

st.set_page_config(page_title="Plan - ankle screen", page_icon="📝", layout="wide")
sidebar_settings()
st.title("Plan")

from screening.plan import PlanInput, SideInput, make_plan, side_input_from_result  # noqa: E402
from screening.step2 import CLASS_LABELS, FEEL_LABELS, QUESTION, classify_step2, instructions, step2_figure  # noqa: E402

# ------------------------------------------------------------------ screened sides
st.header("1. Your screen")
sides = latest_by_side()
inputs: list[SideInput] = []
for side in ("left", "right"):
    b = sides.get(side)
    if b is not None:
        with user_errors():
            si = side_input_from_result(b.result_json)
            inputs.append(si)
            cm = f"{si.knee_past_toe_cm:+.1f} cm" if si.knee_past_toe_cm is not None else "not measured"
            st.markdown(f"- **{side}**: {si.verdict.replace('_', ' ')} ({cm}) - from {b.label}")
        continue
    use = st.checkbox(f"Enter the {side} side by hand (tape measure)", key=f"plan_manual_{side}")
    if use:
        c1, c2 = st.columns(2)
        cm_v = c1.number_input(f"{side}: knee past toe (cm)", -20.0, 30.0, 5.0, 0.5, key=f"plan_cm_{side}")
        fist = c2.number_input(f"{side}: fist width (cm)", 5.0, 15.0, 8.9, 0.1, key=f"plan_fist_{side}")
        inputs.append(SideInput(side, "pass" if cm_v >= fist else "fail", cm_v, fist))  # type: ignore[arg-type]
if not inputs:
    st.info("Screen a side first (Live webcam or Upload a phone video or photo), or enter a side by hand above.")

# ------------------------------------------------------------------ step 2
st.header("2. Soft tissue or joint? (Step 2)")
st.markdown("Two short tests on a step. In each, say where you feel the limit.")
answers = {}
options = list(FEEL_LABELS)
for pos, title in (("straight_knee", "Straight knee"), ("bent_knee", "Bent knee")):
    c1, c2 = st.columns([1, 2])
    with c1:
        with user_errors():
            st.image(step2_figure(pos), caption=title)  # type: ignore[arg-type]
    with c2:
        st.markdown(f"**{title}**")
        for line in instructions(pos):  # type: ignore[arg-type]
            st.markdown(f"- {line}")
        answers[pos] = st.radio(QUESTION, options, index=None, key=f"plan_feel_{pos}",
                                format_func=lambda f: FEEL_LABELS[f], horizontal=True)
step2 = None
if all(answers.values()):
    with user_errors():
        step2 = classify_step2(answers["straight_knee"], answers["bent_knee"])
        st.success(f"**{CLASS_LABELS[step2.classification].capitalize()}** - {step2.reason}")
else:
    st.caption("Answer both to target the plan; without Step 2 the plan asks you to do it first.")

# ------------------------------------------------------------------ plan
st.header("3. Your plan")
if not inputs:
    st.stop()
history = ()
with user_errors():
    from screening.history import HistoryStore, history_points, resolve_db_path

    if resolve_db_path(None).exists():
        with HistoryStore.open(None) as store:
            history = tuple(history_points(store.entries()))
plan = None
with user_errors():
    plan = make_plan(PlanInput(sides=tuple(inputs), step2=step2, history=history))
if plan is None:
    st.stop()
st.markdown(f"**Mode: {plan.mode}** - {CLASS_LABELS.get(plan.classification, plan.classification)}: "  # type: ignore[call-overload]
            f"{plan.classification_reason}")
if plan.priority_side:
    st.markdown(f"Start every session with the **{plan.priority_side}** side.")
for note in plan.notes:
    st.info(note)
for sess in plan.sessions:
    with st.expander(f"{sess.title} - {sess.when}", expanded=True):
        for i, step in enumerate(sess.steps, 1):
            what = step.name or step.kind
            dose = f" - *{step.dose}*" if step.dose else ""
            side = f" ({step.side})" if step.side else ""
            st.markdown(f"{i}. **{step.kind.upper()}** {what}{side}{dose}  \n{step.text}"
                        + (f"  \n<small>Source: {step.source}</small>" if step.source else ""),
                        unsafe_allow_html=True)
if plan.weekly_schedule:
    st.subheader("Week")
    st.dataframe([{"day": d.day, "sessions": ", ".join(d.sessions)} for d in plan.weekly_schedule],
                 hide_index=True)
for rule in plan.schedule_rules:
    st.markdown(f"- {rule}")
for h in plan.history:
    st.markdown(f"- History, {h.side}: {h.text}")
st.markdown(f"**When to judge:** {plan.judge_text}")
for c in plan.caveats:
    st.caption(c)
st.warning(plan.safety_text)
st.download_button("Plan as text", plan.to_text(), "ankle_plan.txt", "text/plain", key="plan_txt")
st.download_button("Plan as JSON", json.dumps(plan.to_json_dict(), indent=1), "ankle_plan.json",
                   "application/json", key="plan_json")
st.session_state["plan"] = plan
st.session_state["step2"] = step2

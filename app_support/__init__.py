"""Small helpers shared by the Streamlit pages (settings sidebar, result view, session store).

Everything here is UI glue: numbers come from ``vision``/``screening`` exactly as the CLI gets them.
"""

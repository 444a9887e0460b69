"""The pages: everything a therapist opens in the workspace, over the domain apps.

One module per page group (``views/day.py``, ``patients.py``, ``courses.py``, ``documents.py``,
``audit.py``), with their forms and URLs. The domain apps below never import from here.
"""

"""Simulator of the OpenText Workflow Service (OT2 `/workflow/v1`) and its token endpoint."""

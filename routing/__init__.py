"""Per-store routing policies: when an order needs a human decision, who decides, under which SLA.

Policies are YAML files validated by pydantic. The policy in force when a case starts is copied
into the workflow input, so a running case keeps its rules when the file changes.
"""

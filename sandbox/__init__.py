"""Faithful simulators of the external APIs Casebridge talks to, served over real HTTP.

Strict by design: a request the real service would refuse is refused here too, with the real
service's error shape. Each system lives in its own subpackage; `sandbox.app` mounts them all.
"""

"""The record's rules, each written once: pure functions and query expressions, no writes.

Services (which keep derived state) and selectors (which read it) both import from here:
`status` derives a line's status from its events, `publication` says which events and lines the
public sees, `follow_through` gives a line's outcome and the figures over many lines.
"""

"""The triage pipeline: normalise posts, store them, group events, grade, route and set deadlines."""

"""One function per state change, each taking the session, the configuration, who acts and the
clock, and owning every consequence (milestones, alerts, audit, labelled example). Triage, the
CLI, the flows and the web app all change state through these functions:

- ``decisions.apply_decisions``: the consequences of an event's decided state (triage's automatic
  grading and regrading go through it, and so does every correction below);
- ``events``: ``regrade``, ``set_topic``, ``set_relevance``, ``set_rumor`` (analysts' corrections);
- ``units``: ``assign_unit``, ``unassign_unit``, ``reassign`` (coordinators);
- ``work``: ``dispatch_new``, ``accept`` (签收), ``return_item`` (退回), ``record_response``,
  ``close_item`` (办结) (units);
- ``alerts``: ``acknowledge`` (by a message's code), ``acknowledge_by_number`` (the operator on the
  server), and ``acknowledge_for_unit`` (a consequence of 签收 and responses);
- ``users``: web users, signing in and out, API tokens (``issue_token`` with an expiry,
  ``revoke_token``, ``note_token_use``);
- ``sources``: ``record_run`` (what a collection run did, source health, coverage gaps);
- ``reports``: ``record_report`` (a report the system produced, recorded once and announced);
- ``users``: ``add_user``, ``disable_user``, ``reset_password``, ``issue_token`` (administrators);
- ``signin``: ``sign_in``, ``sign_out``, ``resume_session``, ``change_password``, ``unlock_user``,
  ``record_refusal`` (signing in and the security events).
"""

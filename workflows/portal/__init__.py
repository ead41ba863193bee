"""Synchronisation with the National Public Service Portal (Cổng Dịch vụ công quốc gia), directly or
through the province's integration platform (LGSP).

- `events`: every change of a dossier the portal must know, written to the `portal_event` outbox in
  the transaction of the change (`attach` turns it on for a session factory); `resync` catches up;
- `payloads`: the calls' bodies (`DongBoHoSoMC`, `CapNhatTienDoHoSoMC`) from our data;
- `client`: the portal's session login and JSON calls over HTTP;
- `outbox`: delivery in order per dossier, with retries, and what the administrator sees and does.

docs/integrations.md is the operator's side of it: configuration, fields, what is unconfirmed.
"""

"""Who the agency is, as printed on forms and written in notifications; an administrator edits it."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from engine import audit
from workflows import app_settings
from workflows.errors import InvalidInput

KEY = "agency"
DEFAULTS = {
    "province": "Sóc Trăng",
    "department": "Sở Giáo dục và Đào tạo",
    "center": "Trung tâm Phục vụ hành chính công",
    "desk": "Bộ phận tiếp nhận và trả kết quả",
    "return_place": "Bộ phận tiếp nhận và trả kết quả, Trung tâm Phục vụ hành chính công tỉnh Sóc Trăng",
    "contact": "Bộ phận tiếp nhận và trả kết quả, điện thoại 0299 3 000 000",
    "public_url": "http://127.0.0.1:5000",
    # The first part of a new dossier's code, `<prefix>-YYMMDD-NNNN` (Circular 03/2025: the agency's code,
    # the date, the sequence), e.g. the agency's code in the national list "000.00.20.H56"; empty: the
    # server's MOTCUA_DOSSIER_PREFIX. Codes already given keep theirs.
    "dossier_code_prefix": "",
}
CODE_PREFIX = re.compile(r"[A-Za-z0-9][A-Za-z0-9.]{0,29}")


def get_agency(session: Session) -> dict:
    return {**DEFAULTS, **app_settings.stored(session, KEY)}


def update_agency(session: Session, values: dict, *, actor: str) -> dict:
    unknown = sorted(set(values) - set(DEFAULTS))
    if unknown:
        raise InvalidInput(f"Unknown agency settings: {', '.join(unknown)}.", fields=unknown)
    url = values.get("public_url")
    if url is not None and not str(url).startswith(("http://", "https://")):
        raise InvalidInput("public_url must start with http:// or https://.", field="public_url")
    prefix = values.get("dossier_code_prefix")
    if prefix and not CODE_PREFIX.fullmatch(str(prefix).strip()):
        raise InvalidInput("dossier_code_prefix is up to 30 letters, digits and dots (no hyphen: it separates "
                           "the code's parts), e.g. 000.00.20.H56.", field="dossier_code_prefix")
    before = get_agency(session)
    app_settings.store(session, KEY, {**app_settings.stored(session, KEY),
                                      **{k: str(v).strip() for k, v in values.items()}}, actor=actor)
    after = get_agency(session)
    audit.record(session, actor=actor, action="agency.updated", subject=KEY,
                 data={"changes": app_settings.changes(before, after)})
    return after

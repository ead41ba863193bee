"""Hostile model uploads are refused with a 4xx, quickly, and the service keeps answering."""

from __future__ import annotations

from io import BytesIO

import pytest

from tests.conftest import read_model

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="p" isExecutable="true" name="&secret;"/>
</bpmn:definitions>"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">&lol9;</bpmn:definitions>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE definitions SYSTEM "http://127.0.0.1:9/evil.dtd">
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"/>"""
DEEP = (b'<?xml version="1.0"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
        + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</bpmn:definitions>")


def upload(api, content: bytes, name: str = "model.bpmn"):
    return api.post("/api/v1/process-models", user="admin", data={"file": (BytesIO(content), name)},
                    content_type="multipart/form-data")


@pytest.mark.parametrize("content", [XXE, BILLION_LAUGHS, EXTERNAL_DTD, DEEP],
                         ids=["xxe", "billion-laughs", "external-dtd", "10000-deep"])
def test_a_hostile_model_is_refused_in_the_error_shape_and_the_service_keeps_answering(api, content):
    response = upload(api, content)

    assert response.status_code == 422
    assert response.get_json()["code"] == "bpmn_invalid"
    assert "root:" not in response.get_data(as_text=True)  # nothing of /etc/passwd
    assert api.get("/api/v1/procedures", user="desk").status_code == 200


def test_a_50_megabyte_upload_is_refused_before_it_is_read(api):
    response = upload(api, b"<" + b"x" * (50 * 1024 * 1024))
    assert response.status_code == 413 and response.get_json()["code"] == "payload_too_large"


def test_a_model_over_the_model_limit_but_under_the_attachment_limit_is_refused(api):
    comment = b"<!--" + b"x" * (6 * 1024 * 1024) + b"-->"
    padded = read_model("chuyen_truong_thpt.bpmn").replace(b"</bpmn:definitions>", comment + b"</bpmn:definitions>")
    response = upload(api, padded)
    assert response.status_code == 413

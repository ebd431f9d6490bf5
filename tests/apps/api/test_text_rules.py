"""Names are NFC, trimmed, and free of control, format (zero-width, bidi) and line-break characters.

Each refusal is a 400 whose code names the rule and whose message names the character; uniqueness
compares the normalised names, so NFC and NFD spellings of one name collide.
"""

import unicodedata

import pytest

PROJECTS = "/api/v1/projects"


def error_of(response):
    assert response.is_json, response.data[:200]
    return response.get_json()["error"]


@pytest.mark.parametrize(
    ("name", "rule", "shown"),
    [
        ("\u200b\u200b\u200b", "format_character", "U+200B ZERO WIDTH SPACE"),
        ("invoice\u202egnp.exe", "format_character", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("a\u2066b\u2069", "format_character", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("zero\u200djoin", "format_character", "U+200D ZERO WIDTH JOINER"),
        ("soft\u00adhyphen", "format_character", "U+00AD SOFT HYPHEN"),
        ("\ufeffbom", "format_character", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("bell\u0007", "control_character", "U+0007"),
        ("esc\u001b[31m", "control_character", "U+001B"),
        ("tab\there", "control_character", "U+0009"),
        ("two\nlines", "line_break", "U+000A"),
        ("two\r\nlines", "line_break", "U+000D"),
        ("para\u2029graph", "line_break", "U+2029 PARAGRAPH SEPARATOR"),
        ("next\u0085line", "line_break", "U+0085"),
    ],
)
def test_names_with_invisible_or_layout_characters_are_400_naming_the_rule(client, project, name, rule, shown):
    for method, url, field in (
        (client.post, PROJECTS, "name"),
        (client.patch, f"{PROJECTS}/{project['id']}", "name"),
        (client.post, f"{PROJECTS}/{project['id']}/items", "title"),
    ):
        response = method(url, json={field: name})
        assert response.status_code == 400, response.get_json()
        error = error_of(response)
        assert (error["code"], error["field"]) == (rule, field)
        assert shown in error["message"] and field in error["message"]


def test_a_name_empty_after_trimming_says_so(client):
    response = client.post(PROJECTS, json={"name": " \u3000\u00a0 "})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_length" and "empty after trimming" in error["message"]


def test_names_are_stored_in_nfc_and_trimmed(client):
    nfd = unicodedata.normalize("NFD", "  Café Ünïcode  ")
    assert nfd != unicodedata.normalize("NFC", nfd)
    response = client.post(PROJECTS, json={"name": nfd})
    assert response.status_code == 201
    assert response.get_json()["name"] == "Café Ünïcode" == unicodedata.normalize("NFC", "Café Ünïcode")


def test_uniqueness_compares_normalised_names(client):
    assert client.post(PROJECTS, json={"name": "café"}).status_code == 201  # NFC
    response = client.post(PROJECTS, json={"name": "cafe\u0301"})  # NFD: e + combining acute
    assert response.status_code == 409
    assert error_of(response)["field"] == "name"


def test_length_counts_the_normalised_name(client):
    # 100 NFD "é" are 200 code points but 100 characters once composed: accepted.
    response = client.post(PROJECTS, json={"name": "e\u0301" * 100})
    assert response.status_code == 201
    assert response.get_json()["name"] == "\u00e9" * 100


def test_descriptions_keep_line_breaks_but_refuse_bidi_controls_and_other_controls(client):
    response = client.post(PROJECTS, json={"name": "multi", "description": "line one\nline two\tend"})
    assert response.status_code == 201
    assert response.get_json()["description"] == "line one\nline two\tend"
    for bad, rule in (("evil\u202eoverride", "format_character"), ("bell\u0007", "control_character")):
        response = client.post(PROJECTS, json={"name": "other", "description": bad})
        assert response.status_code == 400
        assert (error_of(response)["code"], error_of(response)["field"]) == (rule, "description")


def test_emoji_and_scripts_are_still_names(client):
    for name in ("\U0001f680 launch", "東京チーム", "שלום", "مرحبا", "Ελληνικά"):
        assert client.post(PROJECTS, json={"name": name}).status_code == 201, name


@pytest.mark.parametrize(
    ("raw", "leak"),
    [
        (b"null", "NoneType"),
        (b"[1]", "list"),
        (b'{"name": ' + b"9" * 5000 + b"}", "sys.set_int_max_str_digits"),
        (b"[" * 20000 + b"]" * 20000, "recursion"),
    ],
)
def test_error_messages_never_name_python(client, raw, leak):
    response = client.post(PROJECTS, data=raw, content_type="application/json")
    assert response.status_code == 400
    message = error_of(response)["message"]
    assert leak not in message and "Python" not in message and "()" not in message, message


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("\u3164", "invisible_name"),  # HANGUL FILLER: a letter that renders as nothing
        ("\u2800\u2800", "invisible_name"),  # BRAILLE PATTERN BLANK
        ("\u0301\u0301", "invisible_name"),  # combining marks alone
        ("priv\ue000ate", "unassigned_character"),  # private use
        ("non\uffffchar", "unassigned_character"),  # a non-character
        ("un\u0378assigned", "unassigned_character"),  # unassigned in Unicode
    ],
)
def test_names_nobody_can_see_or_that_unicode_does_not_assign_are_refused(client, name, rule):
    response = client.post(PROJECTS, json={"name": name})
    assert response.status_code == 400, response.get_json()
    assert error_of(response)["code"] == rule


def test_a_conflict_quotes_the_name_as_json_not_as_python(client):
    name = 'it\'s "q" \\ x'
    assert client.post(PROJECTS, json={"name": name}).status_code == 201
    message = error_of(client.post(PROJECTS, json={"name": name}))["message"]
    assert '"it\'s \\"q\\" \\\\ x"' in message and "\\'" not in message

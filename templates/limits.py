"""Slack's limits on messages and modals: what breaks them (`problems`) and trimming to fit (`fit`).

Slack refuses a whole message when one part is too long, so a long KPI list or a pasted essay
of a note would mean no reply at all. `fit` trims instead, keeping the start and saying what was
left out; `problems` lets tests check every rendered message against the same limits.
"""

import copy
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_CONTEXT_TEXT = 3000
MAX_BUTTON_TEXT = 75
MAX_ACTIONS_ELEMENTS = 25
MAX_ID_LENGTH = 255  # action_id and block_id
# Slack accepts far more, but the fallback text is what notifications show: keep it short.
MAX_FALLBACK_TEXT = 3000
VIEW_TYPES = ("modal", "home")
ELLIPSIS = "…"
# A cut goes back to the last line break when one is this close to the limit.
LINE_BREAK_WINDOW = 0.2

Message = dict[str, Any]


def problems(message: Message) -> list[str]:
    """Everything Slack would refuse in `message` (a chat message or a view); [] when it is fine."""
    found: list[str] = []
    blocks = message.get("blocks") or []
    if is_view(message):
        found += _sdk_problems("view", lambda: View(**message).validate_json())
        limit = MAX_VIEW_BLOCKS
    else:
        text = message.get("text")
        if not isinstance(text, str) or not text.strip():
            found.append("message: no `text` fallback for notifications")
        elif len(text) > MAX_FALLBACK_TEXT:
            found.append(f"message: `text` is {len(text)} characters, over {MAX_FALLBACK_TEXT}")
        limit = MAX_MESSAGE_BLOCKS
    if len(blocks) > limit:
        found.append(f"message: {len(blocks)} blocks, over {limit}")
    for number, block in enumerate(blocks, start=1):
        found += [f"block {number}: {problem}" for problem in _block_problems(block)]
    return found


def fit(message: Message) -> Message:
    """A copy of `message` trimmed to Slack's limits, so a reply can always be posted."""
    return fit_in_place(copy.deepcopy(message))


def fit_in_place(fitted: Message) -> Message:
    """`fit` for a message nobody else holds (one just rendered): no copy to make."""
    if isinstance(fitted.get("text"), str):
        fitted["text"] = shorten(fitted["text"], MAX_FALLBACK_TEXT)
    blocks = [_fit_block(block) for block in fitted.get("blocks") or []]
    limit = MAX_VIEW_BLOCKS if is_view(fitted) else MAX_MESSAGE_BLOCKS
    if len(blocks) > limit:
        left_out = len(blocks) - (limit - 1)
        blocks = [*blocks[: limit - 1], _more_block(left_out)]
    if "blocks" in fitted:
        fitted["blocks"] = blocks
    return fitted


def is_view(message: Message) -> bool:
    return message.get("type") in VIEW_TYPES


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, ending in "…" when cut.

    Never cuts inside `<@U123>`-style markup or an `&amp;` entity, and prefers a line break.
    """
    if len(text) <= limit:
        return text
    kept = text[: limit - len(ELLIPSIS)]
    opening, closing = kept.rfind("<"), kept.rfind(">")
    if opening > closing:
        kept = kept[:opening]
    ampersand = kept.rfind("&")
    if ampersand != -1 and ";" not in kept[ampersand:]:
        kept = kept[:ampersand]
    line_break = kept.rfind("\n")
    if line_break >= len(kept) * (1 - LINE_BREAK_WINDOW):
        return kept[:line_break].rstrip() + "\n" + ELLIPSIS
    return kept.rstrip() + ELLIPSIS


def _more_block(left_out: int) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": f"…and {left_out} more"}]}


def _fit_block(block: dict[str, Any]) -> dict[str, Any]:
    kind = block.get("type")
    if kind == "section":
        _shorten_text_object(block.get("text"), MAX_SECTION_TEXT)
        if block.get("fields"):
            block["fields"] = block["fields"][:MAX_FIELDS]
            for field in block["fields"]:
                _shorten_text_object(field, MAX_FIELD_TEXT)
        _fit_element(block.get("accessory"))
    elif kind == "header":
        _shorten_text_object(block.get("text"), MAX_HEADER_TEXT)
    elif kind == "context" and block.get("elements"):
        block["elements"] = block["elements"][:MAX_CONTEXT_ELEMENTS]
        for element in block["elements"]:
            _shorten_text_object(element, MAX_CONTEXT_TEXT)
    elif kind == "actions" and block.get("elements"):
        block["elements"] = block["elements"][:MAX_ACTIONS_ELEMENTS]
        for element in block["elements"]:
            _fit_element(element)
    return block


def _fit_element(element: Any) -> None:
    if isinstance(element, dict) and element.get("type") == "button":
        _shorten_text_object(element.get("text"), MAX_BUTTON_TEXT)


def _shorten_text_object(text_object: Any, limit: int) -> None:
    if isinstance(text_object, dict) and isinstance(text_object.get("text"), str):
        text_object["text"] = shorten(text_object["text"], limit)


def _block_problems(block: Any) -> list[str]:
    if not isinstance(block, dict):
        return [f"not an object: {block!r:.80}"]
    found = _sdk_problems(str(block.get("type")), lambda: _sdk_validate(block))
    kind = block.get("type")
    if kind == "section":
        found += _text_problems("text", block.get("text"), MAX_SECTION_TEXT)
        fields = block.get("fields") or []
        if len(fields) > MAX_FIELDS:
            found.append(f"{len(fields)} fields, over {MAX_FIELDS}")
        for number, field in enumerate(fields, start=1):
            found += _text_problems(f"field {number}", field, MAX_FIELD_TEXT)
        found += _element_problems(block.get("accessory"))
    elif kind == "header":
        found += _text_problems("header", block.get("text"), MAX_HEADER_TEXT)
    elif kind == "context":
        elements = block.get("elements") or []
        if len(elements) > MAX_CONTEXT_ELEMENTS:
            found.append(f"{len(elements)} context elements, over {MAX_CONTEXT_ELEMENTS}")
        for number, element in enumerate(elements, start=1):
            if isinstance(element, dict) and element.get("type") != "image":
                found += _text_problems(f"context element {number}", element, MAX_CONTEXT_TEXT)
    elif kind == "actions":
        for element in block.get("elements") or []:
            found += _element_problems(element)
    if len(str(block.get("block_id", ""))) > MAX_ID_LENGTH:
        found.append(f"block_id over {MAX_ID_LENGTH} characters")
    return found


def _sdk_validate(block: dict[str, Any]) -> None:
    parsed = Block.parse(block)
    if parsed is None:
        raise SlackObjectFormationError(f"unknown block type {block.get('type')!r}")
    parsed.validate_json()
    parsed.to_dict()  # validates the nested text objects and elements too


def _sdk_problems(what: str, validate: Any) -> list[str]:
    try:
        validate()
    except (SlackObjectFormationError, TypeError, KeyError, AttributeError) as error:
        return [f"{what}: {error}"]
    return []


def _text_problems(where: str, text_object: Any, limit: int) -> list[str]:
    if text_object is None:
        return []
    if not isinstance(text_object, dict) or not isinstance(text_object.get("text"), str):
        return [f"{where}: not a text object"]
    text = text_object["text"]
    if not text:
        return [f"{where}: empty text"]
    if len(text) > limit:
        return [f"{where}: {len(text)} characters, over {limit}"]
    return []


def _element_problems(element: Any) -> list[str]:
    if not isinstance(element, dict):
        return []
    found = []
    if element.get("type") == "button":
        found += _text_problems("button", element.get("text"), MAX_BUTTON_TEXT)
    if len(str(element.get("action_id", ""))) > MAX_ID_LENGTH:
        found.append(f"action_id over {MAX_ID_LENGTH} characters")
    return found

"""Block Kit messages as readable terminal text, for `scorecard console`."""

import re
from typing import Any

_EMOJI = {
    "large_green_circle": "🟢",
    "large_yellow_circle": "🟡",
    "red_circle": "🔴",
    "white_circle": "⚪",
    "warning": "⚠️",
    "thinking_face": "🤔",
    "question": "❓",
    "dart": "🎯",
    "bar_chart": "📊",
    "hammer_and_wrench": "🛠️",
    "white_check_mark": "✅",
    "memo": "📝",
    "speech_balloon": "💬",
    "octagonal_sign": "🛑",
    "hourglass_flowing_sand": "⏳",
    "sparkles": "✨",
    "leftwards_arrow_with_hook": "↩️",
    "chart_with_upwards_trend": "📈",
    "chart_with_downwards_trend": "📉",
    "wave": "👋",
    "bell": "🔔",
}
_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
# *bold* and _italic_ as whole words only, so keys like instagram_followers stay intact.
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")


def mrkdwn_to_text(text: str) -> str:
    def link(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith(("@", "#")):
            return label or target
        if target.startswith("!"):
            return "@" + (label or target[1:])
        return f"{label} ({target})" if label else target

    text = _LINK.sub(link, text)
    text = _ITALIC.sub(r"\1", _BOLD.sub(r"\1", text))
    text = re.sub(r":([a-z0-9_+-]+):", lambda m: _EMOJI.get(m.group(1), m.group(0)), text)
    return _unescape(text)


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def message_to_text(message: dict[str, Any]) -> str:
    blocks = message.get("blocks") or []
    if not blocks:
        return mrkdwn_to_text(message.get("text", ""))
    return "\n".join(line for block in blocks if (line := _block_to_text(block)))


def _block_to_text(block: dict[str, Any]) -> str:
    kind = block.get("type")
    if kind == "header":
        title = _unescape(block["text"]["text"])
        return f"{title}\n{'─' * min(len(title), 60)}"
    if kind == "section":
        parts = []
        if block.get("text"):
            parts.append(mrkdwn_to_text(block["text"]["text"]))
        parts += [
            "  " + mrkdwn_to_text(f["text"]).replace("\n", ": ", 1) for f in block.get("fields", [])
        ]
        if block.get("accessory", {}).get("type") == "button":
            parts.append(f"[{block['accessory']['text']['text']}]")
        return "\n".join(parts)
    if kind == "context":
        texts = [
            mrkdwn_to_text(e.get("text", "")) for e in block.get("elements", []) if "text" in e
        ]
        return "  " + " · ".join(texts)
    if kind == "actions":
        return "  " + "  ".join(
            f"[{e['text']['text']}]" for e in block.get("elements", []) if "text" in e
        )
    if kind == "divider":
        return "─" * 40
    return ""

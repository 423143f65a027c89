"""Slash-command text as Slack sends it, turned into the plain text the domain reads.

With `should_escape: true` in the manifest (see manifest.yml), Slack sends `&`, `<` and `>` as
`&amp;`, `&lt;` and `&gt;`, and references as `<@U0ABC|name>`, `<#C0ABC|name>`,
`<https://example.com|label>` and `<!here>` (Slack's "Formatting text for app surfaces"). A
mention or channel reference stays a reference (`<@U0ABC>`, `<#C0ABC>`), so a note that mentions
someone still mentions them; a web link stays a link; the rest becomes plain text. Replies escape
it again on the way out (templates/formatting.py), letting only those references through.
"""

import re

# <@U0ABC|name>, <#C0ABC|name>, <https://x|label>, <mailto:a@b|a@b>, <!here>, <!subteam^S1|@team>
_REFERENCE = re.compile(r"<(?P<target>[^<>|]+)(?:\|(?P<label>[^<>]*))?>")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))  # &amp; last: "&amp;lt;" is "&lt;"


def decode_command_text(text: str) -> str:
    """ "Q&amp;A with <@U0ABC|ann> <#C0DEMO|general>" -> "Q&A with <@U0ABC> <#C0DEMO>".

    `<https://x|label>` is kept as it is; `<mailto:a@b|a@b>` becomes its label; `<!here>`,
    `<!channel>` and user groups become plain "@here", "@channel", "@team", which ping nobody.
    """
    decoded = _REFERENCE.sub(_reference, text)
    for entity, character in _ENTITIES:
        decoded = decoded.replace(entity, character)
    return decoded


def _reference(match: re.Match[str]) -> str:
    target, label = match.group("target"), match.group("label")
    if target.startswith(("@", "#")):
        return f"<{target}>"
    if target.startswith(("http://", "https://")):
        return match.group(0)
    if target.startswith("!"):  # <!here>, <!subteam^S1|@team>, <!date^…|fallback>
        special = target[1:].split("^")[0]
        return label or f"@{special}"
    return label or target  # mailto: and anything else Slack may link


_KEPT_AS_TYPED = re.compile(r"<(?:@[UW][A-Z0-9]+|#[CG][A-Z0-9]+|https?://[^\s<>]+)>")


def as_slack_sends(text: str) -> str:
    """What Slack would send for `text` typed in its message box, for `scorecard console`:
    `&`, `<` and `>` encoded, except in mentions, channel references and links typed as such
    (`<@U0ABC>`, `<#C0ABC>`, `<https://x|label>`)."""
    parts: list[str] = []
    done = 0
    for match in _KEPT_AS_TYPED.finditer(text):
        parts += [_encode(text[done : match.start()]), match.group(0)]
        done = match.end()
    parts.append(_encode(text[done:]))
    return "".join(parts)


def _encode(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

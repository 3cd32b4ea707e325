#!/usr/bin/env python3
"""Regenerate .env.example from config/defaults.yaml (the one source of defaults).

Comment lines are kept, `KEY: value` becomes `# KEY=value`, secrets become `KEY=` (to fill in).
Usage: python3 scripts/env-example.py
"""
import re
from pathlib import Path

root = Path(__file__).resolve().parent.parent
SECRETS = {"CHAT_API_KEY", "EMBED_API_KEY", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_TOKEN"}
# The header ends, and the settings start, at the first section rule ("# ----…---- models").
SECTION = "# " + "-" * 64 + " "


def first_section(lines):
    return next(i for i, line in enumerate(lines) if line.startswith(SECTION))


old = (root / ".env.example").read_text().splitlines()
header = old[: first_section(old)]
lines = (root / "config" / "defaults.yaml").read_text().splitlines()
start = first_section(lines)
out = list(header)
for line in lines[start:]:
    m = re.match(r"^([A-Z0-9_]+):\s*(.*)$", line)
    if not m:
        out.append(line)
    elif m.group(1) in SECRETS:
        out.append(f"{m.group(1)}=")
    else:
        out.append(f"# {m.group(1)}={m.group(2)}")
(root / ".env.example").write_text("\n".join(out) + "\n")

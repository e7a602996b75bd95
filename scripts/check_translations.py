#!/usr/bin/env python3
"""Fail when a message catalogue has untranslated or fuzzy entries (run after makemessages)."""

import sys

from babel.messages.pofile import read_po


def main(path: str) -> int:
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    missing = [
        message.id
        for message in catalog
        if message.id
        and (
            message.fuzzy
            or not (all(message.string) if isinstance(message.string, tuple) else message.string)
        )
    ]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    print(f"{path}: {len(catalog)} messages, {len(missing)} untranslated or fuzzy")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

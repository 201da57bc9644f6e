"""The safety net: recognise distress and self-harm language in anything a person types, and reply with care."""

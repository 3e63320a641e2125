"""The one error every encoder factory raises when it cannot build its encoder here."""


class EncoderUnavailable(RuntimeError):
    """The encoder cannot be built here; the message is one line for the user."""

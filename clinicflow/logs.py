import logging
import re

# An intake link's secret, as it appears in request paths.
INTAKE_TOKEN_IN_PATH = re.compile(r"(/intake/)[A-Za-z0-9_-]{8,}")


class RedactIntakeTokens(logging.Filter):
    """Keeps intake link secrets out of logs (Django and uvicorn log request paths)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = INTAKE_TOKEN_IN_PATH.sub(r"\1[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True

"""A push sender that takes a moment per batch, as a real one over the network does, so
that killing a pool process has a send in flight to interrupt."""
import logging
import time

from notifications.push import SendReport

logger = logging.getLogger(__name__)


class SlowSender:
    def send(self, messages):
        time.sleep(0.15)
        for message in messages:
            logger.info("push to %s: %s", message.token, message.title)
        return SendReport()

"""How `sagent serve` listens and what it accepts."""

from __future__ import annotations

import ipaddress

from pydantic import SecretStr, StrictInt

from sagent.settings import Settings, knob


class ServeSettings(Settings):
    host: str = knob("127.0.0.1", "address to listen on; anything but loopback needs --token", cli=True)
    port: StrictInt = knob(8000, "port to listen on", cli=True, ge=1, le=65535)
    token: SecretStr | None = knob(None, "bearer token every request must carry (Authorization: Bearer TOKEN), "
                                         "or SAGENT_SERVE_TOKEN; never logged", cli=True, metavar="TOKEN")
    data_root: list[str] = knob([], "a folder inputs may be read from (repeat; default: the current folder)",
                                cli=True, metavar="DIR")
    state: str | None = knob(None, "where scenes and their frames are kept (default: the cache's service folder)",
                             cli=True, metavar="DIR")
    max_body_mb: float = knob(64.0, "largest request body, megabytes", cli=True, gt=0)
    queue: StrictInt = knob(64, "frames waiting per scene before a sender is told to wait (429)", cli=True, ge=1)

    def loopback(self) -> bool:
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return self.host == "localhost"

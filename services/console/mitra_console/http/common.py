"""What the console's routers share: its configuration from the settings, and a context for unauthenticated calls
(the token endpoints), whose changes (login failures, lockouts) are the console's own."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from mitra_console.settings import ConsoleSettings
from mitra_console.usecases.config import ConsoleConfig
from mitra_shared.clock import Clock
from mitra_shared.context import Context
from mitra_shared.http import correlation_id


async def console_config(request: Request) -> ConsoleConfig:
    config: ConsoleConfig | None = getattr(request.app.state, "console_config", None)
    if config is None:
        settings = request.app.state.resources.settings
        assert isinstance(settings, ConsoleSettings), "the console runs with ConsoleSettings"
        config = request.app.state.console_config = ConsoleConfig.from_settings(settings)
    return config


async def login_context(request: Request) -> Context:
    clock: Clock = request.app.state.clock
    return Context.for_system("console.login", clock(), request_id=correlation_id(request))


Config = Annotated[ConsoleConfig, Depends(console_config)]
LoginContext = Annotated[Context, Depends(login_context)]

"""JSON rendering: every instant in Vietnam time (+07:00), as the people reading it expect."""

from __future__ import annotations

import json
from datetime import datetime

from django.utils import timezone
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder


class VietnamTimeEncoder(NinjaJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime) and timezone.is_aware(o):
            return timezone.localtime(o).isoformat()
        return super().default(o)


class VietnamJSONRenderer(JSONRenderer):
    encoder_class = VietnamTimeEncoder
    json_dumps_params = {"ensure_ascii": False}

    def render(self, request, data, *, response_status):
        return json.dumps(data, cls=self.encoder_class, **self.json_dumps_params)

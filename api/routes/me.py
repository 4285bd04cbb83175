"""Who the token is: lets a pipeline check its token before it relies on it."""

import datetime
import uuid

from django.http import HttpRequest
from ninja import Field, Router, Schema

from api.errors import ALWAYS

router = Router(tags=["token"])


class TokenOut(Schema):
    name: str
    scope: str = Field(..., description="read, or write (read and write)")
    prefix: str
    acts_as: str = Field(..., description="The username the token acts as")
    brand: uuid.UUID | None = Field(None, description="Set for a brand's service token")
    expires_at: datetime.datetime
    last_used_at: datetime.datetime | None


@router.get("/token", response={200: TokenOut, **ALWAYS}, url_name="token")
def token_detail(request: HttpRequest):
    """The token this call was made with: its name, scope, whom it acts as, its expiry."""
    token = request.api_token
    return {
        "name": token.name,
        "scope": token.scope,
        "prefix": token.prefix,
        "acts_as": token.user.get_username(),
        "brand": token.brand.code if token.brand_id else None,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
    }

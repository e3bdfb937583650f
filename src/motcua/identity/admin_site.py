"""The admin site: Django's, and no admin page for a session still waiting for its second factor
(the middleware leads such a session to the verification page; this holds even without it)."""

from django.contrib import admin

from motcua.identity import twofactor


class AdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and twofactor.pending(request.user) is None

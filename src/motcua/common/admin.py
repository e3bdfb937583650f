"""Admin helpers shared by the apps."""

from django.contrib import admin

from motcua.common.text import fold


class FoldedSearchAdmin(admin.ModelAdmin):
    """Search that ignores diacritics: the term is folded and matched against folded columns.

    List only folded columns (e.g. `name_folded`, `search_text`) and codes in `search_fields`.
    """

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, fold(search_term))


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows nobody edits by hand: reference lists and append-only logs."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from django import forms
from django.contrib import admin

from .models import Agency, ApiToken, Membership, Role


class MembershipForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(choices=Role.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Membership
        fields = ["user", "agency", "roles"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "slug"]
    readonly_fields = ["group", "created_at"]

    def has_add_permission(self, request):
        # Agencies are created by `agency_create` so that each gets its permission group.
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "agency", "roles"]
    list_filter = ["agency"]
    search_fields = ["user__username", "agency__slug"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "agency"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        obj.user.groups.add(obj.agency.group)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Members' API tokens: an administrator may see and end them, never make or read one."""

    list_display = ["id", "user", "created", "last_used", "expiry", "client"]
    search_fields = ["user__username"]
    fields = ["user", "created", "last_used", "expiry", "client"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from clearinghouse.api import urlpatterns as clearinghouse_api
from eo_portal import api, mandate_views, mfa_views, transparency, transparency_api, views
from eo_portal.api_support import PortalRouter
from eo_portal.forms import PortalPasswordChangeForm, SignInForm
from grants.api import urlpatterns as grants_api
from reviews.api import urlpatterns as reviews_api
from workforce.api import urlpatterns as workforce_api

core_api = PortalRouter()
core_api.register("organisations", api.OrganisationViewSet, basename="organisation")
core_api.register("notifications", api.NotificationViewSet, basename="notification")
core_api.register("tokens", api.ApiTokenViewSet, basename="token")
core_api.register("mandates", api.MandateViewSet, basename="mandate")

api_v1 = [
    path("me/", api.MeView.as_view(), name="api-me"),
    path("transparency/", transparency_api.TransparencyView.as_view(), name="api-transparency"),
    path("reviews/", include((reviews_api, "reviews-api"))),
    path("clearinghouse/", include((clearinghouse_api, "clearinghouse-api"))),
    path("grants/", include((grants_api, "grants-api"))),
    path("workforce/", include((workforce_api, "workforce-api"))),
    # Namespaced, so the API's "organisation-detail" never shadows the page of that name.
    path("", include((core_api.urls, "api"))),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("transparency/", transparency.page, name="transparency"),
    path("transparency.csv", transparency.csv_download, name="transparency-csv"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=SignInForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/mfa/enrol/", mfa_views.enrol, name="mfa-enrol"),
    path("accounts/mfa/verify/", mfa_views.verify, name="mfa-verify"),
    path(
        "accounts/password/change/",
        # Our own template names: the admin's password pages keep Django's.
        auth_views.PasswordChangeView.as_view(
            form_class=PortalPasswordChangeForm, template_name="registration/portal_password_change.html"
        ),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/portal_password_change_done.html"),
        name="password_change_done",
    ),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/signup/done/", views.signup_done, name="signup-done"),
    path("accounts/verify/resend/", views.verification_resend, name="account-verify-resend"),
    path("accounts/verify/sent/", views.verification_resent, name="verification-resent"),
    path("accounts/verify/<str:uidb64>/<str:token>/", views.account_verify, name="account-verify"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("notifications/<int:notification_id>/read/", views.notification_read, name="notification-read"),
    path("mandates/", mandate_views.mandate_list, name="mandate-list"),
    path("mandates/<slug:code>/", mandate_views.mandate_detail, name="mandate-detail"),
    path("mandates/<slug:code>/history/", mandate_views.mandate_history, name="mandate-history"),
    path("mandates/<slug:code>/edit/", mandate_views.mandate_edit, name="mandate-edit"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<slug:slug>/history/", views.organisation_history, name="organisation-history"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation-edit"),
    path("organisations/<slug:slug>/members/", views.organisation_members, name="organisation-members"),
    path(
        "organisations/<slug:slug>/members/<int:membership_id>/role/",
        views.membership_role,
        name="membership-role",
    ),
    path(
        "organisations/<slug:slug>/members/<int:membership_id>/remove/",
        views.membership_remove,
        name="membership-remove",
    ),
    path("reviews/", include("reviews.urls")),
    path("clearinghouse/", include("clearinghouse.urls")),
    path("grants/", include("grants.urls")),
    path("workforce/", include("workforce.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script as a file, so the page runs under the strict CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "EO Portal administration"
admin.site.site_title = "EO Portal admin"
admin.site.index_title = "Programs of the executive order"

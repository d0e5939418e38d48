import base64
import logging
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import proconnect, services
from accounts.forms import (
    EmailAuthenticationForm,
    NewPasswordForm,
    OutboxPasswordResetForm,
    ResendConfirmationForm,
    SignupForm,
    TokenForm,
)
from accounts.models import User
from accounts.permissions import login_required
from core import audit, ratelimit

logger = logging.getLogger(__name__)


def _crumb(title):
    return {"links": [], "current": title}


class LoginView(auth_views.LoginView):
    """Who may see it: everyone."""

    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    extra_context = {"breadcrumb": _crumb("Se connecter")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["proconnect_enabled"] = proconnect.is_configured()
        return context


class LogoutView(auth_views.LogoutView):
    """Who may use it: anyone signed in (POST only).

    After a ProConnect sign-in, the provider's session is ended too: the browser is sent to its
    end-session endpoint with the ID token as ``id_token_hint``, and comes back to
    ``accounts:proconnect_logged_out``.
    """

    http_method_names = ["post", "options"]

    def post(self, request, *args, **kwargs):
        id_token = (request.session.get(proconnect.SESSION_KEY) or {}).get("id_token")
        response = super().post(request, *args, **kwargs)  # the session is flushed here
        if not id_token or not proconnect.is_configured():
            return response
        try:
            return proconnect.logout_redirect(
                request,
                id_token=id_token,
                post_logout_redirect_uri=_absolute_url("accounts:proconnect_logged_out"),
            )
        except (proconnect.ProviderUnavailable, proconnect.SignInRefused) as error:
            logger.warning("Déconnexion ProConnect impossible : %s", error)
            messages.warning(
                request,
                "Vous êtes déconnecté de la plateforme, mais ProConnect n’a pas pu être joint : "
                "fermez votre navigateur pour terminer aussi votre session ProConnect.",
            )
            return response


def _absolute_url(name: str) -> str:
    """Absolute URL on the platform's public address (what is declared at ProConnect)."""
    return settings.SITE_URL + reverse(name)


def _proconnect_error(request, *, unavailable: bool):
    return render(
        request,
        "accounts/proconnect_error.html",
        {"unavailable": unavailable, "breadcrumb": _crumb("Connexion avec ProConnect")},
        status=502 if unavailable else 400,
    )


@require_POST
def proconnect_login(request):
    """Who may use it: visitors (the ProConnect button of the sign-in page)."""
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    request.session[proconnect.NEXT_SESSION_KEY] = _safe_next(request, "")
    try:
        return proconnect.authorize_redirect(request, _absolute_url("accounts:proconnect_callback"))
    except proconnect.ProviderUnavailable as error:
        logger.warning("ProConnect injoignable : %s", error)
        return _proconnect_error(request, unavailable=True)
    except proconnect.SignInRefused as error:
        logger.warning("ProConnect : configuration illisible : %s", error)
        return _proconnect_error(request, unavailable=True)


@require_GET
def proconnect_callback(request):
    """Who may see it: a person coming back from ProConnect (``state`` ties it to the session).

    Every check of the answer is done before anyone is signed in; a new account is a candidate
    account, staff roles are never granted here.
    """
    try:
        identity = proconnect.complete(request)
        mfa = proconnect.satisfies_mfa(identity)
        user, how = services.sign_in_with_proconnect(identity, mfa=mfa)
    except proconnect.ProviderUnavailable as error:
        logger.warning("ProConnect injoignable : %s", error)
        return _proconnect_error(request, unavailable=True)
    except (proconnect.SignInRefused, services.ProConnectAccountRefused) as error:
        logger.warning("Connexion ProConnect refusée : %s", error)
        return _proconnect_error(request, unavailable=False)
    next_url = request.session.pop(proconnect.NEXT_SESSION_KEY, "")
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[proconnect.SESSION_KEY] = {
        "user": user.pk,
        "id_token": identity.id_token,
        "mfa": mfa,
    }
    if how == "created":
        messages.success(request, "Votre compte a été créé à partir de votre identité ProConnect.")
    else:
        messages.success(request, "Vous êtes connecté avec ProConnect.")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("accounts:dashboard")


@require_GET
def proconnect_logged_out(request):
    """Who may see it: anyone coming back from ProConnect's end-session page."""
    try:
        proconnect.validate_logout_return(request)
    except proconnect.SignInRefused:
        return redirect(settings.LOGOUT_REDIRECT_URL)
    messages.success(request, "Vous êtes déconnecté de la plateforme et de ProConnect.")
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def signup(request):
    """Who may see it: visitors (signed-in users are sent to their space)."""
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = ratelimit.hit(request, "signup")
        if wait is not None:
            form.add_error(
                None,
                ratelimit.retry_message(wait, "Trop de comptes créés depuis cette connexion."),
            )
            return ratelimit.refused(_signup_page(request, form), wait)
        data = form.cleaned_data
        services.sign_up_or_notify(  # same answer for an address that has an account
            email=data["email"],
            password=data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            organisation=data["organisation"],
        )
        return redirect("accounts:signup_done")
    return _signup_page(request, form)


def _signup_page(request, form):
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "breadcrumb": _crumb("Créer un compte")},
    )


def signup_done(request):
    """Who may see it: everyone."""
    return render(
        request, "accounts/signup_done.html", {"breadcrumb": _crumb("Confirmez votre adresse")}
    )


def confirm_email(request, token):
    """Who may see it: anyone holding a valid signed link."""
    try:
        services.confirm_email(token)
    except services.InvalidToken as error:
        return render(
            request,
            "accounts/confirm_failed.html",
            {"error": str(error), "breadcrumb": _crumb("Confirmation de l’adresse")},
            status=400,
        )
    messages.success(request, "Votre adresse est confirmée. Vous pouvez vous connecter.")
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
def resend_confirmation(request):
    """Who may see it: everyone. Never tells whether an address has an account.
    Rate-limited per client address (``RATE_LIMITS["resend_confirmation"]``)."""
    form = ResendConfirmationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = ratelimit.hit(request, "resend_confirmation")
        if wait is not None:
            form.add_error(
                None, ratelimit.retry_message(wait, "Trop de demandes depuis cette connexion.")
            )
            return ratelimit.refused(
                render(
                    request,
                    "accounts/resend_confirmation.html",
                    {"form": form, "breadcrumb": _crumb("Recevoir un nouveau lien")},
                ),
                wait,
            )
        user = User.objects.filter(
            email__iexact=form.cleaned_data["email"], email_confirmed_at__isnull=True
        ).first()
        if user is not None:
            services.send_confirmation(user)
        messages.info(
            request,
            "Si un compte non confirmé existe pour cette adresse, un nouveau lien vient d’y "
            "être envoyé.",
        )
        return redirect("accounts:login")
    return render(
        request,
        "accounts/resend_confirmation.html",
        {"form": form, "breadcrumb": _crumb("Recevoir un nouveau lien")},
    )


@login_required
def dashboard(request):
    """Who may see it: any signed-in user (their own space)."""
    return render(request, "accounts/dashboard.html", {"breadcrumb": _crumb("Mon espace")})


def _safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Who may see it: a signed-in user enrolling an authenticator app (required for staff)."""
    user = request.user
    if any(True for _ in devices_for_user(user, confirmed=True)):
        return redirect(f"{reverse('accounts:otp_verify')}?next={_safe_next(request, '')}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, confirmed=False, name="Application d’authentification"
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit.record("account.two_factor_enabled", actor=user, obj=user)
            messages.success(request, "La double authentification est activée.")
            return redirect(_safe_next(request, reverse("accounts:dashboard")))
        form.add_error("token", "Code incorrect ou expiré : saisissez le code affiché maintenant.")
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "qr_svg": _qr_svg(device.config_url),
            "next": _safe_next(request, ""),
            "breadcrumb": _crumb("Activer la double authentification"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """Who may see it: a signed-in user with a confirmed authenticator."""
    devices = list(devices_for_user(request.user, confirmed=True))
    if not devices:
        return redirect("accounts:otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices:
            allowed, _details = device.verify_is_allowed()
            if not allowed:
                form.add_error(
                    "token",
                    "Trop d’essais successifs : patientez quelques secondes avant de réessayer.",
                )
                break
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(_safe_next(request, reverse("accounts:dashboard")))
        else:
            form.add_error("token", "Code incorrect ou expiré.")
    return render(
        request,
        "accounts/otp_verify.html",
        {
            "form": form,
            "next": _safe_next(request, ""),
            "breadcrumb": _crumb("Double authentification"),
        },
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Who may see it: everyone."""

    form_class = OutboxPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "emails/password_reset.txt"
    subject_template_name = "emails/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_context = {"breadcrumb": _crumb("Mot de passe oublié")}

    def form_valid(self, form):
        """Rate-limited per client address (``RATE_LIMITS["password_reset"]``)."""
        wait = ratelimit.hit(self.request, "password_reset")
        if wait is not None:
            form.add_error(
                None, ratelimit.retry_message(wait, "Trop de demandes depuis cette connexion.")
            )
            return ratelimit.refused(
                self.render_to_response(self.get_context_data(form=form)), wait
            )
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"
    extra_context = {"breadcrumb": _crumb("Mot de passe oublié")}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Who may see it: anyone holding a valid reset link."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    form_class = NewPasswordForm
    extra_context = {"breadcrumb": _crumb("Nouveau mot de passe")}


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
    extra_context = {"breadcrumb": _crumb("Mot de passe modifié")}

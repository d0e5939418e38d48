"""Public pages of calls. Who may see them: everyone (drafts are never shown)."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from calls.models import CallDocument, Grid
from calls.services import application_start_url, call_status, public_calls, split_by_status


class CallListView(TemplateView):
    """Open calls first (nearest cut-off first), then closed and past ones. Everyone."""

    template_name = "calls/call_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        opened, others = split_by_status(public_calls(), timezone.now())
        context.update(
            open_calls=opened,
            other_calls=others,
            breadcrumb={"links": [], "current": "Appels à candidatures"},
        )
        return context


class CallDetailView(TemplateView):
    """The public page of a published (or archived) call. Everyone; drafts are 404."""

    template_name = "calls/call_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        call = get_object_or_404(public_calls(), slug=self.kwargs["slug"])
        now = timezone.now()
        status = call_status(call, now)
        next_round = call.round_for(now) if call.is_permanent else None
        grid = Grid.objects.filter(call=call).prefetch_related("criteria").first()
        context.update(
            call=call,
            status=status,
            rounds=[
                {
                    "round": item,
                    "is_next": next_round is not None and item.pk == next_round.pk,
                    "is_past": item.cut_off_at <= now,
                }
                for item in call.rounds.all()
            ],
            next_round=next_round,
            required_attachments=list(call.required_attachments.all()),
            documents=list(call.documents.all()),
            faqs=list(call.faqs.all()),
            grid=grid,
            criteria=list(grid.criteria.all()) if grid else [],
            start_url=application_start_url(call) if status.is_open else "",
            breadcrumb={
                "links": [{"url": reverse("calls:list"), "title": "Appels à candidatures"}],
                "current": call.title,
            },
        )
        return context


def document(request, slug, pk):
    """A document of a published or archived call (file or link). Everyone."""
    item = get_object_or_404(
        CallDocument.objects.select_related("call"), pk=pk, call__in=public_calls()
    )
    if item.call.slug != slug:
        raise Http404
    if item.url:
        return redirect(item.url)
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404("Document introuvable.") from error
    return FileResponse(handle, as_attachment=False, filename=item.file.name.rsplit("/", 1)[-1])

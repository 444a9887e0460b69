from front.views.day import healthz

HEALTHZ_PATH = "/healthz"


class HealthCheckMiddleware:
    """Answers ``/healthz`` before any other middleware sees the request.

    A load balancer probes each app server over plain HTTP at its address (``Host: 10.0.0.5``):
    the TLS redirect would answer 301 and the host check 400, so the probe would never see the
    app. Placed first, this answers the probe itself, whatever the scheme and the Host header;
    the view reads nothing of the request but its method (no host, no session, no user). Every
    other path goes through the whole stack as before."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTHZ_PATH:
            return healthz(request)
        return self.get_response(request)

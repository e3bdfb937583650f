from django.conf import settings


def site(request):
    return {"province_name": settings.MOTCUA_SITE_NAME}

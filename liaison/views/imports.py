from django.http import HttpResponse


def import_start(request):  # replaced by the import feature in this same change
    return HttpResponse(status=501)


import_template = import_detail = import_apply = import_start

app_name = "interop"

urlpatterns = []

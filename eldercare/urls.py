app_name = "eldercare"

urlpatterns: list = []

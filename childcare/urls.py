app_name = "childcare"

urlpatterns: list = []

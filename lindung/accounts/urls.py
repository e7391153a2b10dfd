from django.contrib.auth import views as auth_views
from django.urls import path

from lindung.accounts import views

app_name = "accounts"
urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("akun/sandi/", views.password_change, name="password_change"),
    path("pengguna/", views.users, name="users"),
    path("pengguna/baru/", views.user_new, name="user_new"),
    path("pengguna/massal/", views.users_bulk, name="users_bulk"),
    path("pengguna/<int:user_id>/", views.user_detail, name="user_detail"),
    path("pengguna/<int:user_id>/reset-sandi/", views.user_password_reset, name="user_password_reset"),
    path("pengguna/<int:user_id>/status/", views.user_toggle_active, name="user_toggle_active"),
]

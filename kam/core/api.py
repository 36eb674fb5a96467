"""Users and teams in the API."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from kam.core.http import request_user
from kam.core.models import Interface, Team, User
from kam.core.rest.permissions import IsKamAdminOrReadOnly
from kam.core.rest.serializers import ModelSerializer
from kam.core.services import teams as team_services
from kam.core.services import users as user_services
from kam.core.visibility import visible_teams, visible_users


class TeamSerializer(ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "parent", "manager", "path"]
        read_only_fields = ["path"]

    def create(self, validated_data: dict[str, Any]) -> Team:
        return team_services.save_team(
            Team(),
            by=self.context["request"].user,
            via=Interface.API,
            name=validated_data["name"],
            parent=validated_data.get("parent"),
            manager=validated_data.get("manager"),
        )

    def update(self, instance: Team, validated_data: dict[str, Any]) -> Team:
        return team_services.save_team(
            instance,
            by=self.context["request"].user,
            via=Interface.API,
            name=validated_data.get("name", instance.name),
            parent=validated_data.get("parent", instance.parent),
            manager=validated_data.get("manager", instance.manager),
        )


class UserSerializer(ModelSerializer):
    password = serializers.CharField(write_only=True, required=False)
    display_name = serializers.CharField(source="__str__", read_only=True)
    # Empty until the user picks one (the browser's language applies meanwhile).
    language = serializers.ChoiceField(
        choices=[("", ""), *settings.LANGUAGES], read_only=True, allow_blank=True
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "first_name",
            "last_name",
            "email",
            "phone",
            "role",
            "team",
            "is_active",
            "language",
            "password",
        ]
        read_only_fields = ["language"]

    def create(self, validated_data: dict[str, Any]) -> User:
        password = validated_data.pop("password", None)
        if not password:
            raise serializers.ValidationError({"password": [self.error_messages["required"]]})
        return user_services.create_user(
            password=password,
            by=self.context["request"].user,
            via=Interface.API,
            **validated_data,
        )

    def update(self, instance: User, validated_data: dict[str, Any]) -> User:
        password = validated_data.pop("password", None)
        validated_data.pop("username", None)
        user = user_services.update_user(
            instance, by=self.context["request"].user, via=Interface.API, **validated_data
        )
        if password:
            user_services.set_password(
                user, password, by=self.context["request"].user, via=Interface.API
            )
        return user


class TeamViewSet(viewsets.ModelViewSet):
    serializer_class = TeamSerializer
    permission_classes = [IsKamAdminOrReadOnly]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Team]:
        return visible_teams(request_user(self.request)).order_by("path")


class UserViewSet(viewsets.ModelViewSet):
    serializer_class = UserSerializer
    permission_classes = [IsKamAdminOrReadOnly]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[User]:
        user = request_user(self.request)
        return visible_users(user).select_related("team").order_by("username")


ROUTES = [
    ("teams", TeamViewSet, "team"),
    ("users", UserViewSet, "user"),
]

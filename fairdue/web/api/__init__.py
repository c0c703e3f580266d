"""REST API under /api/v1: one module per feature, each exposing `router`."""

from fastapi import APIRouter

from fairdue.web.api import accounts, auth, complaints, plans, policy

router = APIRouter()
router.include_router(auth.router)
router.include_router(policy.router)
router.include_router(complaints.router)
router.include_router(accounts.router)
router.include_router(plans.router)

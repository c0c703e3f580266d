"""REST API under /api/v1: one module per feature, each exposing `router`."""

from fastapi import APIRouter

from fairdue.web.api.collections import cases, disputes, promises
from fairdue.web.api.contact import contacts, policy
from fairdue.web.api.portal import complaints
from fairdue.web.api.servicing import accounts, plans
from fairdue.web.api.staff import accounts as staff_accounts
from fairdue.web.api.staff import auth

router = APIRouter()
router.include_router(auth.router)
router.include_router(staff_accounts.router)
router.include_router(policy.router)
router.include_router(complaints.router)
router.include_router(accounts.router)
router.include_router(plans.router)
router.include_router(plans.plans_router)
router.include_router(cases.router)
router.include_router(promises.router)
router.include_router(contacts.router)
router.include_router(disputes.router)

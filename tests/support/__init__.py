"""Shared test support: throwaway services the test suites start for themselves."""

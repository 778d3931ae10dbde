/** One policy waived for one namespace where the guard rails enforce, and why. */
export interface PlatformException {
  readonly namespace: string;
  readonly policy: string;
  readonly reason: string;
}

/**
 * Waivers of an enforcing policy in one namespace. None are needed today: the add-ons live in the add-on
 * namespaces, where the guard rails only audit (see ADDON_NAMESPACES), and AdmissionPolicies refuses an
 * exception there. A team that cannot meet a policy asks for one entry here.
 */
export const PLATFORM_EXCEPTIONS: readonly PlatformException[] = [];

/** Who is signed in (GET /api/v1/me), so two people at one screen know whose changes these are. */
import { useEffect, useState } from "react";
import { useApi } from "../api/context";
import type { Me } from "../api/types";

export function SignedInAs() {
  const api = useApi();
  const [me, setMe] = useState<Me | null>(null);

  useEffect(() => {
    let live = true;
    api.me().then(
      (loaded) => live && setMe(loaded),
      () => live && setMe(null), // the list shows the API's error; the header just stays quiet
    );
    return () => {
      live = false;
    };
  }, [api]);

  if (!me) return null;
  return (
    <p className="signed-in">
      Signed in as <strong>{me.email ?? me.sub}</strong>
    </p>
  );
}

import { Admin, Resource } from "react-admin";
import { authProvider, type Permissions } from "./authProvider";
import { dataProvider } from "./dataProvider";
import { LoginPage } from "./login/LoginPage";
import apps from "./apps";
import audit from "./audit";
import blocks from "./blocks";
import deliveries from "./deliveries";
import outbox from "./outbox";
import providers from "./providers";
import spend from "./spend";
import staff from "./staff";
import totp from "./totp";
import verifications from "./verifications";
import { lazyPage } from "./common/lazyPage";
import { darkTheme, lightTheme } from "./theme";

// The home page's charts (recharts) load after sign-in, not with the sign-in screen.
const Dashboard = lazyPage(() => import("./dashboard/Dashboard"), "Dashboard");

/**
 * The support dashboard. Menus follow the role (ADMIN also sees apps, staff and the audit
 * log) as a convenience; the admin API enforces every role itself.
 */
export function App() {
  return (
    <Admin title="OTP Gateway" theme={lightTheme} darkTheme={darkTheme} dataProvider={dataProvider} authProvider={authProvider} dashboard={Dashboard} loginPage={LoginPage} requireAuth disableTelemetry>
      {(permissions: Permissions | null) => (
        <>
          <Resource name="verifications" {...verifications} />
          <Resource name="deliveries" {...deliveries} />
          <Resource name="totpFactors" {...totp} />
          <Resource name="blocks" {...blocks} />
          <Resource name="providers" {...providers} />
          {permissions?.role === "ADMIN" && <Resource name="spend" {...spend} />}
          {permissions?.role === "ADMIN" && <Resource name="apps" {...apps} />}
          {permissions?.role === "ADMIN" && <Resource name="staff" {...staff} />}
          {permissions?.role === "ADMIN" && <Resource name="audit" {...audit} />}
          {permissions?.outbox && <Resource name="outbox" {...outbox} />}
        </>
      )}
    </Admin>
  );
}

import { deepmerge } from "@mui/utils";
import { defaultDarkTheme, defaultTheme, type RaThemeOptions } from "react-admin";

/**
 * react-admin's light and dark themes, fitted to a phone: its layout's `min-width: fit-content`
 * let a wide table stretch the whole page (the fixed app bar kept the screen's width, leaving a
 * blank gap beside it, and everything scrolled sideways). The page keeps the screen's width; a
 * table too wide for it scrolls sideways inside its own box.
 */
const fitted: RaThemeOptions = {
  components: {
    RaLayout: {
      styleOverrides: {
        root: { minWidth: 0, "& .RaLayout-contentWithSidebar": { minWidth: 0 }, "& .RaLayout-content": { minWidth: 0 } },
      },
    },
    RaList: { styleOverrides: { root: { "& .RaList-main": { minWidth: 0 } } } },
    RaDatagrid: { styleOverrides: { root: { "& .RaDatagrid-tableWrapper": { overflowX: "auto" } } } },
  },
} as RaThemeOptions;

export const lightTheme = deepmerge(defaultTheme, fitted) as RaThemeOptions;
export const darkTheme = deepmerge(defaultDarkTheme, fitted) as RaThemeOptions;

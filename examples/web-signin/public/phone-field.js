// The phone number field: a country picker and a number formatted as it is typed, with
// libphonenumber-js (its browser bundle sets window.libphonenumber). What the backend receives
// is the number in E.164 ("+12025550143"), so nobody has to type a country code.

const { AsYouType, getCountries, getCountryCallingCode, parsePhoneNumberFromString } = window.libphonenumber;

const names = new Intl.DisplayNames([navigator.language || "en"], { type: "region" });
export const countryName = (code) => names.of(code) ?? code;

/** The browser's region ("en-US" → US) as the first guess; the user picks another in a click. */
function guessCountry(countries) {
  const region = (navigator.language || "").split("-")[1]?.toUpperCase();
  return countries.includes(region) ? region : "US";
}

export function setUpPhoneField(select, input) {
  const countries = getCountries().sort((a, b) => countryName(a).localeCompare(countryName(b)));
  for (const c of countries) select.add(new Option(`${countryName(c)} (+${getCountryCallingCode(c)})`, c));
  select.value = guessCountry(countries);

  const format = (followNumber = true) => {
    // Reformat only while typing at the end, so editing in the middle keeps the caret where it is.
    if (input.selectionStart !== null && input.selectionStart < input.value.length) return;
    const typer = new AsYouType(input.value.trim().startsWith("+") ? undefined : select.value);
    const formatted = typer.input(input.value);
    // A number typed with its + names its own country: the picker follows it.
    // (Only when its calling code differs: +44 stays the United Kingdom rather than Guernsey.)
    const code = typer.getCallingCode();
    if (followNumber && input.value.trim().startsWith("+") && code && code !== getCountryCallingCode(select.value) && typer.getCountry()) select.value = typer.getCountry();
    if (formatted !== input.value) input.value = formatted;
  };
  input.addEventListener("input", (e) => {
    // Deleting a formatting character (a bracket, a space) must not be undone by the formatter.
    if (e.inputType?.startsWith("delete")) return;
    format();
  });
  select.addEventListener("change", () => {
    // The user's pick wins over a + number typed earlier (they are about to retype it).
    format(false);
    input.focus();
  });
}

/** The number as E.164, or why not: `{ number }` or `{ problem }` in words for the user. */
export function readPhone(select, input) {
  const text = input.value.trim();
  if (!text) return { problem: "Enter your phone number." };
  const phone = parsePhoneNumberFromString(text, text.startsWith("+") ? undefined : select.value);
  const country = phone?.country ?? select.value;
  if (!phone || !phone.isValid()) {
    return { problem: `That isn't a valid ${countryName(country)} number. Check the digits${text.startsWith("+") ? "" : ", or pick the right country"}.` };
  }
  return { number: phone.number, country };
}

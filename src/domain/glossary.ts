/**
 * Terminology: the Swedish terms users read, and the English names the code uses for them.
 *
 * | Swedish                          | English (in code)            |
 * | -------------------------------- | ---------------------------- |
 * | årshjul                          | year wheel (the product)     |
 * | budgetår                         | budget year (`budgetYear`)   |
 * | nämnd                            | board                        |
 * | stadsdelsnämnd                   | district council (board kind)|
 * | facknämnd                        | service board (board kind)   |
 * | bolagsstyrelse                   | company board (board kind)   |
 * | Stadsledningskontoret (SLK)      | city management office       |
 * | Kommunstyrelsen (KS)             | city executive board         |
 * | Kommunfullmäktige (KF)           | city council                 |
 * | budgetunderlag                   | spring budget submission     |
 * | verksamhetsplan                  | operational plan             |
 * | tertialrapport                   | tertial report               |
 * | verksamhetsberättelse            | annual report                |
 * | leverans                         | deliverable                  |
 * | sista dag / tidsfrist            | deadline                     |
 * | påminnelse                       | reminder                     |
 * | eskalering                       | escalation                   |
 * | förvaltningschef                 | head of administration       |
 * | ordförande                       | chair                        |
 * | registrator                      | registry mailbox             |
 * | sista dag i dag                  | deadline day (reminder)      |
 * | veckosammanställning             | weekly digest                |
 * | återremittera                    | return for completion        |
 * | anstånd                          | extension                    |
 * | undanta                          | exempt                       |
 * | milstolpe                        | milestone                    |
 * | utskottet (ytterstads- och       | the committee                |
 * |   demokratiutskottet)            |                              |
 * | lokalt utvecklingsprogram (LUP)  | local development programme  |
 * | lokal analys                     | local analysis (LUP stage)   |
 * | medborgardialog                  | citizen dialogue             |
 * | påverkansutrymme                 | room for influence           |
 * | prioriterat område               | priority area                |
 * | nämndmål / aktivitet             | board goal / activity        |
 * | uppföljning                      | follow-up                    |
 * | rapportmall / mall               | report template              |
 * | utkast                           | draft (saved answers)        |
 * | klarmarkera                      | mark ready (`markReady`)     |
 * | påskrift / skriva under          | sign-off (`signOff`)         |
 * | avböja påskriften                | decline the sign-off         |
 * | ta tillbaka klarmarkeringen      | withdraw the ready mark      |
 * | åtkomstnyckel                    | access key (API token)       |
 * | kalenderflöde                    | calendar feed                |
 */
export const MUNICIPALITY_TIME_ZONE = 'Europe/Stockholm';

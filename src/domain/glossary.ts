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
 */
export const MUNICIPALITY_TIME_ZONE = 'Europe/Stockholm';

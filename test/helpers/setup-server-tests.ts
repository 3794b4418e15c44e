// Server tests start processes and wait on virtual or real time: give them room.
jest.setTimeout(120_000);

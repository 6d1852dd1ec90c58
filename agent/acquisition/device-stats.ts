/** How one Modbus device answers: what doctor, the uplink's health and the page show. */
export interface DeviceStats {
  id: string;
  bus: string;
  unitId: number;
  ok: boolean;
  transactions: number;
  timeouts: number;
  crcErrors: number;
  exceptions: number;
  lastAnswer: number | null;
}
